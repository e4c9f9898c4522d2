/// One call of a generated micro-kernel (`MicroKernels`): R x V accumulators of 16 floats,
///
///     c[r][v] (+)= sum over o < outerCount, i < innerCount, k < length of
///                  a[o*aOuter + i*aInner + k*aStep + r*aRow] * b[o*bOuter + i*bInner + k*bStep + 16v ..< 16v+16]
///
/// stored to out[r*outStride + 16v ..< +16] (and first loaded from there when `accumulate`).
///
/// Why this shape: both directions of a convolution are sums over a kernel window of
/// "broadcast one input value, multiply a row of 16 weights". In the forward pass (and the input
/// gradient) r runs over output pixels and k over input channels, with the window's rows and
/// columns as the outer and inner loops; in the filter gradient r runs over input channels and
/// k over output pixels of a row, rows being the outer loop. The caller provides the strides.
struct MicroKernelCall {
    var a: UnsafePointer<Float>
    /// Stride between the R broadcast operands.
    var aRow: Int
    var aStep: Int
    var aInner: Int
    var aOuter: Int
    var b: UnsafePointer<Float>
    var bStep: Int
    var bInner: Int
    var bOuter: Int
    var length: Int
    var innerCount: Int
    var outerCount: Int
    var out: UnsafeMutablePointer<Float>
    var outStride: Int
    var accumulate: Bool
    /// Filter-gradient sliding kernels only: the distance in `out` from one kernel column's
    /// accumulators to the next's (see `MicroKernels.f1v1`).
    var outTap: Int = 0
}
