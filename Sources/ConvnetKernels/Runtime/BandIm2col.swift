/// im2col and its adjoint over a band of output rows rather than whole images.
///
/// Why: one 192x192 image's column matrix for a 3x3x16 conv is 21 MB; written then read back by
/// the GEMM it never stays in cache. A band of a few output rows (about 1 MB) is produced, used
/// by the GEMM and the epilogue while it is still in L2. Rows are global across images:
/// r = n * OH + oh, so small late layers batch several images in one band.
/// Single-threaded: the caller runs one band per core.
enum BandIm2col {
    /// cols (r1-r0)*OW x KH*KW*Cin from x (N, H, W, Cin), for output rows r0..<r1.
    static func im2col(_ g: ConvGeometry, input: UnsafePointer<Float>, rows: Range<Int>,
                       columns: UnsafeMutablePointer<Float>) {
        var row = columns
        for r in rows {
            Im2col.patchRow(g, image: input + (r / g.outHeight) * g.inHeight * g.inWidth * g.inChannels,
                            outputRow: r % g.outHeight, into: row)
            row += g.outWidth * g.patchSize
        }
    }

    /// dx (N, H, W, Cin) += the adjoint of `im2col` for output rows r0..<r1 (dx must be zeroed
    /// beforehand; bands are added in order, so sums are deterministic).
    static func col2imAdd(_ g: ConvGeometry, columns: UnsafePointer<Float>, rows: Range<Int>,
                          inputGradient: UnsafeMutablePointer<Float>) {
        let cin = g.inChannels, kw = g.kernelWidth, patch = g.patchSize
        var row = columns
        for r in rows {
            let n = r / g.outHeight, oh = r % g.outHeight
            let image = inputGradient + n * g.inHeight * g.inWidth * cin
            for ow in 0..<g.outWidth {
                let w0 = ow * g.strideWidth - g.padLeft
                let kwLo = max(0, -w0), kwHi = min(kw, g.inWidth - w0)
                if kwLo < kwHi {
                    for kh in 0..<g.kernelHeight {
                        let h = oh * g.strideHeight - g.padTop + kh
                        if h < 0 || h >= g.inHeight { continue }
                        let src = row + (kh * kw + kwLo) * cin
                        let dst = image + (h * g.inWidth + w0 + kwLo) * cin
                        let count = (kwHi - kwLo) * cin
                        for i in 0..<count { dst[i] += src[i] }
                    }
                }
                row += patch
            }
        }
    }
}
