import ConvnetKernels
import ConvnetIR
import Foundation

/// One pass over the elements for a chain of pointwise ops (a single op, or a loop fusion's
/// whole body): the elements are cut into tiles that stay in L1, each tile runs every stage
/// in order into small stack temporaries, and only the last stage writes memory. Tiles are
/// split over the cores. Each stage does the same Float operations as the reference
/// interpreter, so results are bit-identical to it.
final class ElementwiseLoop {
    /// What a stage computes.
    enum Kernel {
        case unary(UnaryOp)
        case binary(BinaryOp)
        case activation(ActivationFunction)
        /// (dy, y)
        case activationGrad(ActivationFunction)
        /// (x, bias (C))
        case biasAdd
        /// (x): f32 -> f32 convert
        case copy
    }

    /// Where a stage's operand comes from.
    enum Source {
        /// A tensor of the loop's element count, read at the element's index.
        case tensor(UnsafePointer<Float>)
        /// A rank-0 value, read once per tile (it may change between runs).
        case scalar(UnsafePointer<Float>)
        /// A vector along the last axis: element i reads `p[i % channels]`.
        case bias(UnsafePointer<Float>, channels: Int)
        /// The result of an earlier stage.
        case stage(Int)
    }

    struct Stage {
        var kernel: Kernel
        var sources: [Source]
    }

    /// Elements per tile: 16 KiB of floats per temporary.
    static let tile = 4096

    let stages: [Stage]
    let count: Int
    let output: UnsafeMutablePointer<Float>

    init(stages: [Stage], count: Int, output: UnsafeMutablePointer<Float>) {
        precondition(!stages.isEmpty, "an elementwise loop needs a stage")
        self.stages = stages
        self.count = count
        self.output = output
    }

    func run() {
        let tile = Self.tile
        let tiles = (count + tile - 1) / tile
        // Temporaries: one per stage plus two to materialise bias operands.
        let slots = stages.count + 2
        Parallel.forRanges(tiles, grain: 4) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: slots * tile) { temps in
                let t = temps.baseAddress!
                for index in range {
                    let start = index * tile
                    runTile(start, min(tile, count - start), t)
                }
            }
        }
    }

    /// An operand resolved for one tile: a pointer to `n` values, or one value.
    private enum Operand {
        case vector(UnsafePointer<Float>)
        case scalar(Float)
    }

    private func runTile(_ start: Int, _ n: Int, _ temps: UnsafeMutablePointer<Float>) {
        let tile = Self.tile
        let last = stages.count - 1
        for (s, stage) in stages.enumerated() {
            let out = s == last ? output + start : temps + s * tile
            var operands: (Operand, Operand) = (.scalar(0), .scalar(0))
            for (k, source) in stage.sources.enumerated() where k < 2 {
                let o: Operand
                switch source {
                case .tensor(let p): o = .vector(p + start)
                case .scalar(let p): o = .scalar(p[0])
                case .stage(let j): o = .vector(UnsafePointer(temps + j * tile))
                case .bias(let p, let c):
                    let dst = temps + (stages.count + k) * tile
                    var ch = start % c
                    for i in 0..<n {
                        dst[i] = p[ch]
                        ch += 1
                        if ch == c { ch = 0 }
                    }
                    o = .vector(UnsafePointer(dst))
                }
                if k == 0 { operands.0 = o } else { operands.1 = o }
            }
            Self.apply(stage.kernel, operands.0, operands.1, out, n)
        }
    }

    private static func apply(_ kernel: Kernel, _ a: Operand, _ b: Operand,
                              _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        switch kernel {
        case .unary(let u):
            switch u {
            case .neg: map(a, out, n) { -$0 }
            case .sqrt: map(a, out, n) { $0.squareRoot() }
            case .exp: map(a, out, n) { Foundation.exp($0) }
            case .log: map(a, out, n) { Foundation.log($0) }
            }
        case .copy: map(a, out, n) { $0 }
        case .activation(let f):
            switch f {
            case .relu: map(a, out, n) { $0 > 0 ? $0 : 0 }
            case .sigmoid: map(a, out, n) { 1 / (1 + Foundation.exp(-$0)) }
            case .tanh: map(a, out, n) { Foundation.tanh($0) }
            }
        case .activationGrad(let f):
            switch f {
            case .relu: zip(a, b, out, n) { dy, y in y <= 0 ? 0 : dy }
            case .sigmoid: zip(a, b, out, n) { dy, y in dy * (y * (1 - y)) }
            case .tanh: zip(a, b, out, n) { dy, y in dy * (1 - y * y) }
            }
        case .biasAdd: zip(a, b, out, n) { $0 + $1 }
        case .binary(let op):
            switch op {
            case .add: zip(a, b, out, n) { $0 + $1 }
            case .sub: zip(a, b, out, n) { $0 - $1 }
            case .mul: zip(a, b, out, n) { $0 * $1 }
            case .div: zip(a, b, out, n) { $0 / $1 }
            case .pow: zip(a, b, out, n) { Foundation.pow($0, $1) }
            }
        }
    }

    @inline(__always)
    private static func map(_ a: Operand, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float) -> Float) {
        switch a {
        case .vector(let x): for i in 0..<n { out[i] = f(x[i]) }
        case .scalar(let v): let r = f(v); for i in 0..<n { out[i] = r }
        }
    }

    @inline(__always)
    private static func zip(_ a: Operand, _ b: Operand, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                            _ f: (Float, Float) -> Float) {
        switch (a, b) {
        case (.vector(let x), .vector(let y)): for i in 0..<n { out[i] = f(x[i], y[i]) }
        case (.vector(let x), .scalar(let v)): for i in 0..<n { out[i] = f(x[i], v) }
        case (.scalar(let v), .vector(let y)): for i in 0..<n { out[i] = f(v, y[i]) }
        case (.scalar(let v), .scalar(let w)): let r = f(v, w); for i in 0..<n { out[i] = r }
        }
    }
}
