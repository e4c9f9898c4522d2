/// A stride-1 convolution as the direct kernels see it: input (N, H, W, C), weights
/// (KH, KW, C, F), output (N, OH, OW, F), and the padding before each axis (the padding after
/// follows from the sizes). The forward pass of a stride-1 `ConvGeometry` is one; its input
/// gradient is another, with dY as the input, flipped weights and padding K - 1 - pad.
struct SlidingWindow {
    let batch: Int
    let inHeight: Int, inWidth: Int, inChannels: Int
    let outHeight: Int, outWidth: Int, outChannels: Int
    let kernelHeight: Int, kernelWidth: Int
    let padTop: Int, padLeft: Int

    /// Output channels rounded up to whole vectors of 16.
    var paddedOutChannels: Int { (outChannels + 15) / 16 * 16 }

    /// The forward pass of `g` (stride 1).
    static func forward(_ g: ConvGeometry) -> SlidingWindow {
        SlidingWindow(batch: g.batch, inHeight: g.inHeight, inWidth: g.inWidth, inChannels: g.inChannels,
                      outHeight: g.outHeight, outWidth: g.outWidth, outChannels: g.filters,
                      kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, padTop: g.padTop, padLeft: g.padLeft)
    }

    /// dX of `g` (stride 1) as a convolution of dY with the flipped, transposed weights.
    static func inputGradient(_ g: ConvGeometry) -> SlidingWindow {
        SlidingWindow(batch: g.batch, inHeight: g.outHeight, inWidth: g.outWidth, inChannels: g.filters,
                      outHeight: g.inHeight, outWidth: g.inWidth, outChannels: g.inChannels,
                      kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                      padTop: g.kernelHeight - 1 - g.padTop, padLeft: g.kernelWidth - 1 - g.padLeft)
    }

    /// Kernel rows [lo, hi) that land inside the input for output row `oh`.
    @inline(__always) func kernelRows(_ oh: Int) -> Range<Int> {
        max(0, padTop - oh)..<max(max(0, padTop - oh), min(kernelHeight, inHeight + padTop - oh))
    }

    /// Kernel columns [lo, hi) that land inside the input for output column `ow`.
    @inline(__always) func kernelColumns(_ ow: Int) -> Range<Int> {
        max(0, padLeft - ow)..<max(max(0, padLeft - ow), min(kernelWidth, inWidth + padLeft - ow))
    }

    /// Output columns whose whole window is inside the input (they run in blocks).
    var interiorColumns: Range<Int> {
        let lo = min(max(padLeft, 0), outWidth)
        return lo..<max(lo, min(outWidth, inWidth + padLeft - kernelWidth + 1))
    }

    /// Output rows [lo, hi) that read input row oh - padTop + kh, for kernel row `kh`.
    @inline(__always) func outputRows(kernelRow kh: Int) -> Range<Int> {
        let lo = max(0, padTop - kh)
        return lo..<max(lo, min(outHeight, inHeight + padTop - kh))
    }

    /// Output columns that read an input column for kernel column `kw`.
    @inline(__always) func outputColumns(kernelColumn kw: Int) -> Range<Int> {
        let lo = max(0, padLeft - kw)
        return lo..<max(lo, min(outWidth, inWidth + padLeft - kw))
    }
}
