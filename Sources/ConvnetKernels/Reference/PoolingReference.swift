/// Twins of `Pooling` and `GlobalAveragePool`, one output element at a time, and what the IR
/// interpreter runs for `maxPool`, `avgPool`, `spatialMean` and their gradients.
/// x (N, H, W, C) -> y (N, OH, OW, C), valid or same windows (`PoolGeometry`).
public enum PoolingReference {
    @inline(__always)
    static func at(_ g: PoolGeometry, _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Int {
        ((n * g.inHeight + h) * g.inWidth + w) * g.channels + c
    }

    /// Calls `body(outputIndex, taps)` for every output in row-major order; `taps` are the input
    /// indices of the window's real elements in row-major order (same padding clips windows at
    /// the image's edges: padded positions take no part, as in Keras).
    @inline(__always)
    static func forEachWindow(_ g: PoolGeometry, _ body: (_ o: Int, _ taps: [Int]) -> Void) {
        var o = 0
        var taps: [Int] = []
        taps.reserveCapacity(g.pool * g.pool)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<g.channels {
            taps.removeAll(keepingCapacity: true)
            for h in g.window(oh, lead: g.padTop, extent: g.inHeight) {
                for w in g.window(ow, lead: g.padLeft, extent: g.inWidth) { taps.append(at(g, n, h, w, c)) }
            }
            body(o, taps)
            o += 1
        } } } }
    }

    /// The first maximum among `taps` (row-major order: ties go to the earliest tap).
    @inline(__always)
    static func argmax<T: ReferenceScalar>(_ input: UnsafePointer<T>, _ taps: [Int]) -> Int {
        var best = taps[0]
        for i in taps.dropFirst() where input[i] > input[best] { best = i }
        return best
    }

    /// Max (or mean) over each window's real elements.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                                   isMax: Bool) {
        forEachWindow(g) { o, taps in
            if isMax { output[o] = input[argmax(input, taps)]; return }
            var sum: T = 0
            for i in taps { sum += input[i] }
            output[o] = sum / T(taps.count)
        }
    }

    /// dX, overwritten: each dY to its window's first maximum (max) or spread evenly (mean).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
                                                    inputGradient: UnsafeMutablePointer<T>, isMax: Bool) {
        guard isMax else {
            averageBackward(g, outputGradient: outputGradient, inputGradient: inputGradient)
            return
        }
        inputGradient.update(repeating: 0, count: g.inputCount)
        forEachWindow(g) { o, taps in inputGradient[argmax(input, taps)] += outputGradient[o] }
    }

    /// dX of average pooling, overwritten: each dY spread evenly over its window's real
    /// elements (the input is not needed).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func averageBackward<T: ReferenceScalar>(_ g: PoolGeometry, outputGradient: UnsafePointer<T>,
                                                           inputGradient: UnsafeMutablePointer<T>) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        forEachWindow(g) { o, taps in
            for i in taps { inputGradient[i] += outputGradient[o] / T(taps.count) }
        }
    }

    /// y (N, C) = mean over pixels of x (N, H, W, C).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func globalAverageForward<T: ReferenceScalar>(batch: Int, height: Int, width: Int, channels: Int,
                                                                input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        for n in 0..<batch { for c in 0..<channels {
            var sum: T = 0
            for p in 0..<(height * width) { sum += input[(n * height * width + p) * channels + c] }
            output[n * channels + c] = sum / T(height * width)
        } }
    }

    /// dX (N, H, W, C) = dY (N, C) / (H W).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func globalAverageBackward<T: ReferenceScalar>(batch: Int, height: Int, width: Int, channels: Int,
                                                                 outputGradient: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        for n in 0..<batch { for p in 0..<(height * width) { for c in 0..<channels {
            inputGradient[(n * height * width + p) * channels + c] = outputGradient[n * channels + c] / T(height * width)
        } } }
    }
}
