/// Twins of `Pooling` and `GlobalAveragePool`, one output element at a time, and what the IR
/// interpreter runs for `maxPool`, `avgPool`, `spatialMean` and their gradients.
/// x (N, H, W, C) -> y (N, OH, OW, C), valid windows.
public enum PoolingReference {
    @inline(__always)
    static func at(_ g: PoolGeometry, _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Int {
        ((n * g.inHeight + h) * g.inWidth + w) * g.channels + c
    }

    /// Calls `body(outputIndex, firstTap)` for every output in row-major order; the window's
    /// taps are `firstTap + (ph * W + pw) * C` for ph, pw in 0..<pool.
    @inline(__always)
    static func forEachWindow(_ g: PoolGeometry, _ body: (_ o: Int, _ first: Int) -> Void) {
        var o = 0
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<g.channels {
            body(o, at(g, n, oh * g.stride, ow * g.stride, c))
            o += 1
        } } } }
    }

    /// The first maximum of the window at `first` (row-major order: ties go to the earliest tap).
    @inline(__always)
    static func argmax<T: ReferenceScalar>(_ g: PoolGeometry, _ input: UnsafePointer<T>, _ first: Int) -> Int {
        var best = first
        for ph in 0..<g.pool { for pw in 0..<g.pool {
            let i = first + (ph * g.inWidth + pw) * g.channels
            if input[i] > input[best] { best = i }
        } }
        return best
    }

    /// Max (or mean) over each window.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                                   isMax: Bool) {
        forEachWindow(g) { o, first in
            if isMax { output[o] = input[argmax(g, input, first)]; return }
            var sum: T = 0
            for ph in 0..<g.pool { for pw in 0..<g.pool { sum += input[first + (ph * g.inWidth + pw) * g.channels] } }
            output[o] = sum / T(g.pool * g.pool)
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
        forEachWindow(g) { o, first in inputGradient[argmax(g, input, first)] += outputGradient[o] }
    }

    /// dX of average pooling, overwritten: each dY spread evenly over its window (the input is
    /// not needed).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func averageBackward<T: ReferenceScalar>(_ g: PoolGeometry, outputGradient: UnsafePointer<T>,
                                                           inputGradient: UnsafeMutablePointer<T>) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        forEachWindow(g) { o, first in
            for ph in 0..<g.pool { for pw in 0..<g.pool {
                inputGradient[first + (ph * g.inWidth + pw) * g.channels] += outputGradient[o] / T(g.pool * g.pool)
            } }
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
