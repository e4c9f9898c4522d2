import ConvnetInterface

/// Sizes of a pooling window: input (N, H, W, C), window P x P, stride S, output (N, OH, OW, C).
/// Valid padding (Keras' MaxPooling2D / AveragePooling2D default, S = P by default):
/// OH = (H - P) / S + 1. Same padding: OH = ceil(H / S), the window of output row q starting at
/// input row q * S - `padTop` (TensorFlow's split of the padding, the extra row after); the
/// padded positions are no elements at all, as in Keras: a max is over the real elements of the
/// window, an average divides by their count.
public struct PoolGeometry: Hashable, Sendable {
    public let batch: Int
    public let inHeight: Int
    public let inWidth: Int
    public let channels: Int
    public let pool: Int
    public let stride: Int
    public let outHeight: Int
    public let outWidth: Int
    /// Rows and columns `same` padding puts before the image (0 for valid padding).
    public let padTop: Int
    public let padLeft: Int
    /// Whether some window reaches past the image (same padding that pads): then only the
    /// generic `Pooling` kernels apply.
    public let isPadded: Bool

    public init(batch: Int, inHeight: Int, inWidth: Int, channels: Int, pool: Int, stride: Int? = nil, same: Bool = false) {
        let s = stride ?? pool
        precondition(batch >= 1 && channels >= 1 && pool >= 1 && s >= 1, "pool sizes must be positive")
        precondition(same || (inHeight >= pool && inWidth >= pool), "pool window larger than input")
        precondition(inHeight >= 1 && inWidth >= 1, "pool input must not be empty")
        self.batch = batch
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.channels = channels
        self.pool = pool
        self.stride = s
        outHeight = WindowExtent.output(inHeight, window: pool, stride: s, same: same)
        outWidth = WindowExtent.output(inWidth, window: pool, stride: s, same: same)
        let rows = same ? WindowExtent.samePadding(inHeight, window: pool, stride: s) : (before: 0, after: 0)
        let columns = same ? WindowExtent.samePadding(inWidth, window: pool, stride: s) : (before: 0, after: 0)
        padTop = rows.before
        padLeft = columns.before
        isPadded = rows.before + rows.after + columns.before + columns.after > 0
    }

    public var inputCount: Int { batch * inHeight * inWidth * channels }
    public var outputCount: Int { batch * outHeight * outWidth * channels }
    /// Windows never overlap when stride >= pool, so output rows write disjoint input rows
    /// (a padded geometry is treated as overlapping: its windows are clipped unevenly).
    var windowsOverlap: Bool { stride < pool || isPadded }

    /// The input rows (or columns) `start ..< end` of output row (column) `o`'s window, clipped
    /// to the image: `lead` is `padTop` or `padLeft`, `extent` the input's height or width.
    @inline(__always)
    public func window(_ o: Int, lead: Int, extent: Int) -> Range<Int> {
        let first = o * stride - lead
        return max(first, 0) ..< min(first + pool, extent)
    }
}

/// Max and average pooling, forward and backward. Forward splits output rows (n, oh) over the
/// cores. Backward zeroes dX then adds each output's gradient into its window: split by output
/// rows when windows do not overlap, by whole images otherwise, so no two tasks write the same
/// element and the sums keep a fixed order.
///
/// Max-pool backward RECOMPUTES the argmax from the input instead of storing indices: it costs
/// one more pass over the window but no buffer, and the forward pass stays index-free. Ties go
/// to the first maximum in (row, column) order within the window.
public enum Pooling {
    /// y (N, OH, OW, C) = max over each window of x (N, H, W, C).
    public static func maxForward(_ g: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forward(g, input: input, output: output, isMax: true)
    }

    /// y (N, OH, OW, C) = mean over each window of x (N, H, W, C).
    public static func averageForward(_ g: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forward(g, input: input, output: output, isMax: false)
    }

    /// dX (N, H, W, C) gets each dY at its window's (first) maximum of x; overwrites dX.
    public static func maxBackward(_ g: PoolGeometry, input: UnsafePointer<Float>,
                                   outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        backward(g, input: input, outputGradient: outputGradient, inputGradient: inputGradient, isMax: true)
    }

    /// dX (N, H, W, C) gets dY / (P * P) over each window (with same padding, dY over the
    /// window's real elements); overwrites dX.
    public static func averageBackward(_ g: PoolGeometry, outputGradient: UnsafePointer<Float>,
                                       inputGradient: UnsafeMutablePointer<Float>) {
        backward(g, input: nil, outputGradient: outputGradient, inputGradient: inputGradient, isMax: false)
    }

    private static func forward(_ g: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                isMax: Bool) {
        let c = g.channels
        Parallel.forRanges(g.batch * g.outHeight, grain: 2) { range in
            for task in range {
                let n = task / g.outHeight, oh = task % g.outHeight
                let image = input + n * g.inHeight * g.inWidth * c
                let rows = g.window(oh, lead: g.padTop, extent: g.inHeight)
                for ow in 0..<g.outWidth {
                    let columns = g.window(ow, lead: g.padLeft, extent: g.inWidth)
                    let y = output + ((task * g.outWidth) + ow) * c
                    let first = image + (rows.lowerBound * g.inWidth + columns.lowerBound) * c
                    y.update(from: first, count: c)
                    for h in rows {
                        for w in columns where h != rows.lowerBound || w != columns.lowerBound {
                            let x = image + (h * g.inWidth + w) * c
                            if isMax {
                                for k in 0..<c where x[k] > y[k] { y[k] = x[k] }
                            } else {
                                for k in 0..<c { y[k] += x[k] }
                            }
                        }
                    }
                    // Same padding averages over the window's real elements only (Keras).
                    let scale = 1 / Float(rows.count * columns.count)
                    if !isMax { for k in 0..<c { y[k] *= scale } }
                }
            }
        }
    }

    private static func backward(_ g: PoolGeometry, input: UnsafePointer<Float>?, outputGradient: UnsafePointer<Float>,
                                 inputGradient: UnsafeMutablePointer<Float>, isMax: Bool) {
        let c = g.channels
        let imageSize = g.inHeight * g.inWidth * c
        // One task covers whole images (overlapping or padded windows) or one output row
        // (disjoint ones).
        let rowsPerTask = g.windowsOverlap ? g.outHeight : 1
        let tasks = g.batch * g.outHeight / rowsPerTask
        Parallel.forRanges(tasks, grain: 1) { range in
            for task in range {
                let firstRow = task * rowsPerTask
                let n = firstRow / g.outHeight, oh0 = firstRow % g.outHeight
                let dxImage = inputGradient + n * imageSize
                if g.windowsOverlap {
                    dxImage.update(repeating: 0, count: imageSize)
                } else {
                    // Input rows this output row's windows cover; the rows between windows (when
                    // S > P) or below the last window are zeroed by the task that precedes them.
                    let h0 = oh0 * g.stride
                    let h1 = oh0 == g.outHeight - 1 ? g.inHeight : (oh0 + 1) * g.stride
                    (dxImage + h0 * g.inWidth * c).update(repeating: 0, count: (h1 - h0) * g.inWidth * c)
                    if oh0 == 0 { dxImage.update(repeating: 0, count: h0 * g.inWidth * c) }
                }
                for oh in oh0..<(oh0 + rowsPerTask) {
                    let rows = g.window(oh, lead: g.padTop, extent: g.inHeight)
                    for ow in 0..<g.outWidth {
                        let columns = g.window(ow, lead: g.padLeft, extent: g.inWidth)
                        let dy = outputGradient + (((n * g.outHeight + oh) * g.outWidth) + ow) * c
                        let corner = (rows.lowerBound * g.inWidth + columns.lowerBound) * c
                        if isMax {
                            let x = input! + n * imageSize
                            for k in 0..<c {
                                var best = corner + k
                                for h in rows {
                                    for w in columns {
                                        let at = (h * g.inWidth + w) * c + k
                                        if x[at] > x[best] { best = at }
                                    }
                                }
                                dxImage[best] += dy[k]
                            }
                        } else {
                            let scale = 1 / Float(rows.count * columns.count)
                            for h in rows {
                                for w in columns {
                                    let dx = dxImage + (h * g.inWidth + w) * c
                                    for k in 0..<c { dx[k] += dy[k] * scale }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension PoolGeometry {
    /// Whether `MaxPoolKernels` (winner codes, pooling inside a convolution's bands) take a
    /// max pool of this window: windows that do not overlap (stride >= size) with at most 128
    /// positions (a winner code is 7 bits), and no padding (`padded`: a `same` pool whose windows
    /// reach past the image). The one place this is decided: the optimizer's kernel selection
    /// and every backend ask it.
    public static func winnerKernelsApply(size: Int, stride: Int, padded: Bool) -> Bool {
        !padded && stride >= size && size * size <= 128
    }
}
