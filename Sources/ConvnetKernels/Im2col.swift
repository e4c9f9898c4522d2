/// The lowering of a convolution to a matrix product. For images `images` of an NHWC input,
/// the column matrix has one row per output pixel and one column per kernel tap and channel:
/// col (count * OH * OW, KH * KW * Cin), row (n, oh, ow), column (kh, kw, c), holding
/// x[n, oh * sh - padTop + kh, ow * sw - padLeft + kw, c] or 0 outside the image.
/// Its column order equals the HWIO weight layout flattened to (KH * KW * Cin, F), so
/// conv = col x W with no weight reshuffle.
public enum Im2col {
    /// Fills `columns` (images.count * OH * OW, KH * KW * Cin) from `input` (N, H, W, Cin).
    /// Rows are independent, so they are split over the cores.
    public static func im2col(_ g: ConvGeometry, input: UnsafePointer<Float>, images: Range<Int>,
                              columns: UnsafeMutablePointer<Float>) {
        precondition(images.lowerBound >= 0 && images.upperBound <= g.batch, "image range out of batch")
        let rowsOfPixels = images.count * g.outHeight   // one task per (n, oh)
        let patch = g.patchSize
        Parallel.forRanges(rowsOfPixels, grain: 4) { range in
            for task in range {
                let n = images.lowerBound + task / g.outHeight
                patchRow(g, image: input + n * g.inHeight * g.inWidth * g.inChannels,
                         outputRow: task % g.outHeight, into: columns + (task * g.outWidth) * patch)
            }
        }
    }

    /// One output row's patches: `row` (OW, KH * KW * Cin) from `image` (H, W, Cin), zero
    /// outside the image. The one copy loop of im2col, shared with the banded form.
    @inline(__always)
    static func patchRow(_ g: ConvGeometry, image: UnsafePointer<Float>, outputRow oh: Int,
                         into row: UnsafeMutablePointer<Float>) {
        let cin = g.inChannels, kw = g.kernelWidth
        var row = row
        for ow in 0..<g.outWidth {
            let w0 = ow * g.strideWidth - g.padLeft
            // The in-image taps kw in kwLo..<kwHi read one contiguous run of the input row.
            let kwLo = max(0, -w0), kwHi = min(kw, g.inWidth - w0)
            for kh in 0..<g.kernelHeight {
                let h = oh * g.strideHeight - g.padTop + kh
                let dst = row + kh * kw * cin
                if h < 0 || h >= g.inHeight || kwLo >= kwHi {
                    dst.update(repeating: 0, count: kw * cin)
                    continue
                }
                if kwLo > 0 { dst.update(repeating: 0, count: kwLo * cin) }
                (dst + kwLo * cin).update(from: image + (h * g.inWidth + w0 + kwLo) * cin,
                                          count: (kwHi - kwLo) * cin)
                if kwHi < kw { (dst + kwHi * cin).update(repeating: 0, count: (kw - kwHi) * cin) }
            }
            row += g.patchSize
        }
    }

    /// The adjoint of `im2col`: overwrites the input-gradient rows of `images` in `inputGradient`
    /// (N, H, W, Cin) with the sum of every column entry that read that input element.
    /// Written as a gather over input rows (n, h) rather than a scatter, so the work splits over
    /// cores with no write conflicts and sums in a fixed order.
    public static func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, images: Range<Int>,
                              inputGradient: UnsafeMutablePointer<Float>) {
        precondition(images.lowerBound >= 0 && images.upperBound <= g.batch, "image range out of batch")
        let cin = g.inChannels, patch = g.patchSize
        Parallel.forRanges(images.count * g.inHeight, grain: 4) { range in
            for task in range {
                let local = task / g.inHeight                       // image index within the chunk
                let n = images.lowerBound + local
                let h = task % g.inHeight
                let dxRow = inputGradient + ((n * g.inHeight + h) * g.inWidth) * cin   // (W, Cin)
                dxRow.update(repeating: 0, count: g.inWidth * cin)
                let imageColumns = columns + local * g.pixelsPerImage * patch          // (OH*OW, patch)
                for kh in 0..<g.kernelHeight {
                    let t = h + g.padTop - kh
                    if t < 0 || t % g.strideHeight != 0 { continue }
                    let oh = t / g.strideHeight
                    if oh >= g.outHeight { continue }
                    let columnRow = imageColumns + oh * g.outWidth * patch
                    for kw in 0..<g.kernelWidth {
                        // Output columns ow whose tap kw lands inside the row: w = ow * sw - padLeft + kw.
                        let last = g.inWidth - 1 + g.padLeft - kw       // ow * sw <= last
                        if last < 0 { continue }
                        let owLo = max(0, (g.padLeft - kw + g.strideWidth - 1) / g.strideWidth)
                        let owHi = min(g.outWidth, last / g.strideWidth + 1)
                        if owLo >= owHi { continue }
                        var src = columnRow + owLo * patch + (kh * g.kernelWidth + kw) * cin
                        var dx = dxRow + (owLo * g.strideWidth - g.padLeft + kw) * cin
                        for _ in owLo..<owHi {
                            for c in 0..<cin { dx[c] += src[c] }
                            src += patch
                            dx += g.strideWidth * cin
                        }
                    }
                }
            }
        }
    }
}
