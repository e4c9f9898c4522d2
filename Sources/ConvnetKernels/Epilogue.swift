import Foundation

/// Element-wise activations that fuse onto a GEMM output. Softmax is not here: it is fused
/// with the cross-entropy loss (`SoftmaxCrossEntropy`), which takes the logits.
/// Raw values match the language's activation words.
public enum EpilogueActivation: String, CaseIterable, Hashable, Sendable {
    case linear, relu, sigmoid, tanh
}

/// The work that follows a GEMM, in place on its (M, N) row-major output, split over the cores
/// by rows: bias add + activation forward, activation backward, and the bias gradient.
public enum Epilogue {
    /// values (M, N) = activation(values + bias (N)), in place. `bias` may be nil.
    public static func biasActivation(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                                      bias: UnsafePointer<Float>?, activation: EpilogueActivation) {
        if bias == nil && activation == .linear { return }
        Parallel.forRanges(rows, grain: max(1, 16384 / max(columns, 1))) { range in
            for i in range {
                let row = values + i * columns
                if let bias { for j in 0..<columns { row[j] += bias[j] } }
                apply(activation, row, columns)
            }
        }
    }

    /// One row of an activation, in place.
    static func apply(_ activation: EpilogueActivation, _ x: UnsafeMutablePointer<Float>, _ count: Int) {
        switch activation {
        case .linear: break
        case .relu: for j in 0..<count { x[j] = max(x[j], 0) }
        case .sigmoid: for j in 0..<count { x[j] = sigmoid(x[j]) }
        case .tanh: for j in 0..<count { x[j] = Foundation.tanh(x[j]) }
        }
    }

    /// The logistic function, written so neither branch overflows.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// gradient (count) *= activation'(pre), in place, where the derivative is written in terms
    /// of the activation's OUTPUT y (relu: y > 0, sigmoid: y (1 - y), tanh: 1 - y^2), so the
    /// forward pass may overwrite its pre-activations. Linear leaves the gradient unchanged.
    public static func activationBackward(_ gradient: UnsafeMutablePointer<Float>,
                                          output: UnsafePointer<Float>, count: Int,
                                          activation: EpilogueActivation) {
        if activation == .linear { return }
        Parallel.forRanges(count, grain: 16384) { range in
            switch activation {
            case .linear: break
            case .relu: for i in range where !(output[i] > 0) { gradient[i] = 0 }
            case .sigmoid: for i in range { gradient[i] *= output[i] * (1 - output[i]) }
            case .tanh: for i in range { gradient[i] *= 1 - output[i] * output[i] }
            }
        }
    }

    /// bias gradient (N) = column sums of gradient (M, N): Float sums over blocks of
    /// `biasBlockRows` rows, flushed into Float64 in `Parallel.reduceRows`' fixed chunks
    /// (deterministic), then rounded; added to `biasGradient` when `accumulate`.
    ///
    /// Why these blocks: they are the ones of every other per-channel gradient sum
    /// (`activationBiasGradient`, and `BatchNorm.gradientSums`, whose sum dy is a batch norm's
    /// beta gradient), so a column sum is the same bits whichever of them computes it. The CPU
    /// executor reads a beta's gradient from the batch norm's recorded `gradientSums`, the
    /// native target's code calls this: when this summed each element in Float64 instead, the
    /// two targets' betas differed in the last bit after one step.
    /// The gradient's rows are `rowStride` floats apart (a slice of a concat's gradient read in
    /// place), by default `columns`.
    public static func biasGradient(_ gradient: UnsafePointer<Float>, rows: Int, columns: Int,
                                    into biasGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false,
                                    rowStride: Int? = nil) {
        let rowFloats = rowStride ?? columns
        blockedColumnSums(rows: rows, columns: columns, into: biasGradient, accumulate: accumulate) { i, block in
            let row = gradient + i * rowFloats
            for j in 0..<columns { block[j] += row[j] }
        }
    }
}
