import ConvnetInterface

/// Sizes of a pooling window: input (N, H, W, C), window P x P, stride S, valid padding
/// (Keras' MaxPooling2D / AveragePooling2D defaults: S = P), output (N, OH, OW, C) with
/// OH = (H - P) / S + 1.
public struct PoolGeometry: Hashable, Sendable {
    public let batch: Int
    public let inHeight: Int
    public let inWidth: Int
    public let channels: Int
    public let pool: Int
    public let stride: Int
    public let outHeight: Int
    public let outWidth: Int

    public init(batch: Int, inHeight: Int, inWidth: Int, channels: Int, pool: Int, stride: Int? = nil) {
        let s = stride ?? pool
        precondition(batch >= 1 && channels >= 1 && pool >= 1 && s >= 1, "pool sizes must be positive")
        precondition(inHeight >= pool && inWidth >= pool, "pool window larger than input")
        self.batch = batch
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.channels = channels
        self.pool = pool
        self.stride = s
        outHeight = WindowExtent.output(inHeight, window: pool, stride: s, same: false)
        outWidth = WindowExtent.output(inWidth, window: pool, stride: s, same: false)
    }

    public var inputCount: Int { batch * inHeight * inWidth * channels }
    public var outputCount: Int { batch * outHeight * outWidth * channels }
    /// Windows never overlap when stride >= pool, so output rows write disjoint input rows.
    var windowsOverlap: Bool { stride < pool }
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

    /// dX (N, H, W, C) gets dY / (P * P) over each window; overwrites dX.
    public static func averageBackward(_ g: PoolGeometry, outputGradient: UnsafePointer<Float>,
                                       inputGradient: UnsafeMutablePointer<Float>) {
        backward(g, input: nil, outputGradient: outputGradient, inputGradient: inputGradient, isMax: false)
    }

    private static func forward(_ g: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                isMax: Bool) {
        let c = g.channels, scale = 1 / Float(g.pool * g.pool)
        Parallel.forRanges(g.batch * g.outHeight, grain: 2) { range in
            for task in range {
                let n = task / g.outHeight, oh = task % g.outHeight
                let image = input + n * g.inHeight * g.inWidth * c
                for ow in 0..<g.outWidth {
                    let y = output + ((task * g.outWidth) + ow) * c
                    let first = image + ((oh * g.stride) * g.inWidth + ow * g.stride) * c
                    y.update(from: first, count: c)
                    for ph in 0..<g.pool {
                        for pw in 0..<g.pool where ph != 0 || pw != 0 {
                            let x = image + ((oh * g.stride + ph) * g.inWidth + ow * g.stride + pw) * c
                            if isMax {
                                for k in 0..<c where x[k] > y[k] { y[k] = x[k] }
                            } else {
                                for k in 0..<c { y[k] += x[k] }
                            }
                        }
                    }
                    if !isMax { for k in 0..<c { y[k] *= scale } }
                }
            }
        }
    }

    private static func backward(_ g: PoolGeometry, input: UnsafePointer<Float>?, outputGradient: UnsafePointer<Float>,
                                 inputGradient: UnsafeMutablePointer<Float>, isMax: Bool) {
        let c = g.channels, scale = 1 / Float(g.pool * g.pool)
        let imageSize = g.inHeight * g.inWidth * c
        // One task covers whole images (overlapping windows) or one output row (disjoint ones).
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
                    for ow in 0..<g.outWidth {
                        let dy = outputGradient + (((n * g.outHeight + oh) * g.outWidth) + ow) * c
                        let corner = (oh * g.stride * g.inWidth + ow * g.stride) * c
                        if isMax {
                            let x = input! + n * imageSize
                            for k in 0..<c {
                                var best = corner + k
                                for ph in 0..<g.pool {
                                    for pw in 0..<g.pool {
                                        let at = corner + (ph * g.inWidth + pw) * c + k
                                        if x[at] > x[best] { best = at }
                                    }
                                }
                                dxImage[best] += dy[k]
                            }
                        } else {
                            for ph in 0..<g.pool {
                                for pw in 0..<g.pool {
                                    let dx = dxImage + corner + (ph * g.inWidth + pw) * c
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
    /// positions (a winner code is 7 bits). The one place this is decided: the optimizer's
    /// kernel selection and every backend ask it.
    public static func winnerKernelsApply(size: Int, stride: Int) -> Bool { stride >= size && size * size <= 128 }
}
