import ConvnetSupport
import ConvnetSyntax
import ConvnetInterface

/// What one layer does to a shape, and what it costs: Keras' rules (references.md §1).
/// `padding='same'` keeps ceil(H/stride); `'valid'` gives floor((H-K)/stride)+1.
enum LayerRules {
    /// The result of applying a layer to an input shape: an output and its counts, or a reason
    /// why the layer cannot apply.
    enum Outcome {
        case ok(output: TensorShape, params: Int, trainable: Int, macs: Int)
        case failure(Diagnostic)
    }

    static func outputSize(_ input: Int, kernel: Int, stride: Int, padding: Padding) -> Int {
        WindowExtent.output(input, window: kernel, stride: stride, same: padding == .same)
    }

    /// `inputs` holds one shape for every kind but the merges, whose shapes the caller has
    /// already checked against each other (`mergeMismatch`).
    static func apply(_ decl: LayerDecl, name: String, to inputs: [TensorShape]) -> Outcome {
        let at = decl.keywordRange
        let input = inputs[0]
        switch decl.kind {
        case .conv(let c):
            guard input.rank == 3 else { return .failure(needsSpatial(decl, name, input)) }
            let oh = outputSize(input.height, kernel: c.kernelHeight, stride: c.stride, padding: c.padding)
            let ow = outputSize(input.width, kernel: c.kernelWidth, stride: c.stride, padding: c.padding)
            let out = TensorShape.spatial(oh, ow, c.filters)
            if oh < 1 || ow < 1 { return .failure(shrinks(decl, name, input, out)) }
            let weightFactors = [c.kernelHeight, c.kernelWidth, input.channels, c.filters]
            guard let weights = multiply(weightFactors) else {
                return .failure(tooLarge(decl, name, count: approximate(weightFactors), of: "parameters"))
            }
            guard let macs = multiply([oh, ow] + weightFactors) else {
                return .failure(tooLarge(decl, name, count: approximate([oh, ow] + weightFactors), of: "multiply-accumulates per image"))
            }
            guard let params = CheckedSize.sum(weights, c.useBias ? c.filters : 0) else { return .failure(overflow(decl, name)) }
            return .ok(output: out, params: params, trainable: params, macs: macs)

        case .depthwiseConv(let d):
            // Keras DepthwiseConv2D: kernel (K, K, Cin, M) and a bias of Cin*M.
            guard input.rank == 3 else { return .failure(needsSpatial(decl, name, input)) }
            let oh = outputSize(input.height, kernel: d.kernelHeight, stride: d.stride, padding: d.padding)
            let ow = outputSize(input.width, kernel: d.kernelWidth, stride: d.stride, padding: d.padding)
            guard let channels = multiply([input.channels, d.multiplier]) else { return .failure(overflow(decl, name)) }
            let out = TensorShape.spatial(oh, ow, channels)
            if oh < 1 || ow < 1 { return .failure(shrinks(decl, name, input, out)) }
            guard let weights = multiply([d.kernelHeight, d.kernelWidth, channels]),
                  let macs = multiply([oh, ow, d.kernelHeight, d.kernelWidth, channels])
            else { return .failure(overflow(decl, name)) }
            let params = weights + channels
            return .ok(output: out, params: params, trainable: params, macs: macs)

        case .separableConv(let c):
            // Keras SeparableConv2D: depthwise (K, K, Cin, M), pointwise (1, 1, Cin*M, F), bias F.
            guard input.rank == 3 else { return .failure(needsSpatial(decl, name, input)) }
            let oh = outputSize(input.height, kernel: c.kernelHeight, stride: c.stride, padding: c.padding)
            let ow = outputSize(input.width, kernel: c.kernelWidth, stride: c.stride, padding: c.padding)
            let out = TensorShape.spatial(oh, ow, c.filters)
            if oh < 1 || ow < 1 { return .failure(shrinks(decl, name, input, out)) }
            guard let middle = multiply([input.channels, c.multiplier]),
                  let depthwise = multiply([c.kernelHeight, c.kernelWidth, middle]),
                  let pointwise = multiply([middle, c.filters]),
                  let depthMACs = multiply([oh, ow, depthwise]),
                  let pointMACs = multiply([oh, ow, pointwise])
            else { return .failure(overflow(decl, name)) }
            let params = depthwise + pointwise + c.filters
            return .ok(output: out, params: params, trainable: params, macs: depthMACs + pointMACs)

        case .maxPool(let p), .avgPool(let p):
            guard input.rank == 3 else { return .failure(needsSpatial(decl, name, input)) }
            let oh = outputSize(input.height, kernel: p.size, stride: p.stride, padding: p.padding)
            let ow = outputSize(input.width, kernel: p.size, stride: p.stride, padding: p.padding)
            let out = TensorShape.spatial(oh, ow, input.channels)
            if oh < 1 || ow < 1 { return .failure(shrinks(decl, name, input, out)) }
            return .ok(output: out, params: 0, trainable: 0, macs: 0)

        case .globalAveragePool:
            guard input.rank == 3 else { return .failure(alreadyFlat(decl, name, input)) }
            return .ok(output: .flat(input.channels), params: 0, trainable: 0, macs: 0)

        case .flatten:
            guard input.rank == 3 else { return .failure(alreadyFlat(decl, name, input)) }
            guard let n = input.elementCount else { return .failure(overflow(decl, name)) }
            return .ok(output: .flat(n), params: 0, trainable: 0, macs: 0)

        case .dense(let d):
            guard input.rank == 1 else {
                return .failure(.error(
                    "sema.dense-needs-flat-input",
                    "dense needs a flat input, but it receives a \(input.rank)-dimensional tensor \(input.kerasDescription)",
                    at: at,
                    help: "insert `flatten` (keeps every value) or `gap` (averages each channel, no weights) before `\(decl.kind.sourceForm)`"))
            }
            guard let weights = multiply([input.channels, d.units]) else {
                return .failure(tooLarge(decl, name, count: approximate([input.channels, d.units]), of: "parameters"))
            }
            guard let params = CheckedSize.sum(weights, d.units) else { return .failure(overflow(decl, name)) }
            return .ok(output: .flat(d.units), params: params, trainable: params, macs: weights)

        case .dropout:
            return .ok(output: input, params: 0, trainable: 0, macs: 0)

        case .batchNorm:
            let c = input.channels
            return .ok(output: input, params: 4 * c, trainable: 2 * c, macs: 0)

        case .activation:
            return .ok(output: input, params: 0, trainable: 0, macs: 0)

        case .concat:
            let channels = inputs.reduce(0) { $0 + $1.channels }
            let out = input.rank == 3 ? TensorShape.spatial(input.height, input.width, channels) : .flat(channels)
            return .ok(output: out, params: 0, trainable: 0, macs: 0)

        case .add:
            return .ok(output: input, params: 0, trainable: 0, macs: 0)
        }
    }

    /// Why the branches of a merge cannot be joined, naming every branch's shape; nil when they
    /// can (concat: one rank and, for images, the same height and width; add: identical shapes).
    static func mergeMismatch(_ kind: MergeKind, shapes: [TensorShape]) -> String? {
        let first = shapes[0]
        let fits: Bool = switch kind {
        case .concat: shapes.allSatisfy { $0.rank == first.rank && (first.rank != 3 || ($0.height == first.height && $0.width == first.width)) }
        case .add: shapes.allSatisfy { $0 == first }
        }
        guard !fits else { return nil }
        let list = shapes.enumerated().map { "branch \($0.offset + 1) gives \($0.element)" }.joined(separator: ", ")
        return switch kind {
        case .concat: "concat joins branches on channels, so their heights and widths must be equal: \(list)"
        case .add: "add sums its branches, so their shapes must be identical: \(list)"
        }
    }

    /// The product of sizes, or nil when it overflows (`CheckedSize`, the one place for it).
    static func multiply(_ factors: [Int]) -> Int? {
        CheckedSize.product(factors).flatMap { $0 <= CheckedSize.countLimit ? $0 : nil }
    }

    private static func needsSpatial(_ decl: LayerDecl, _ name: String, _ input: TensorShape) -> Diagnostic {
        .error("sema.needs-spatial-input",
               "\(decl.kind.keyword) needs an HxWxC input, but \(name) receives a flat tensor \(input.kerasDescription)",
               at: decl.keywordRange,
               help: "move `\(decl.kind.sourceForm)` before the `flatten`, `gap` or `dense` layer that made the tensor flat")
    }

    private static func alreadyFlat(_ decl: LayerDecl, _ name: String, _ input: TensorShape) -> Diagnostic {
        .error("sema.already-flat",
               "\(decl.kind.keyword) needs an HxWxC input, but \(name) receives a tensor that is already flat \(input.kerasDescription)",
               at: decl.keywordRange,
               help: "remove this `\(decl.kind.keyword)`: the tensor is already one-dimensional")
    }

    private static func shrinks(_ decl: LayerDecl, _ name: String, _ input: TensorShape,
                                _ output: TensorShape) -> Diagnostic {
        .error("sema.spatial-underflow",
               "\(name) (`\(decl.kind.sourceForm)`) shrinks its input \(input) to \(output): a spatial dimension below 1",
               at: decl.keywordRange,
               help: {
                   if decl.kind.hasWeightsMatrix { return "use a smaller kernel or stride, `padding same`, or remove a pooling layer earlier in the model" }
                   return "remove this pooling layer or one before it, or use a smaller window or stride"
               }())
    }

    static func approximate(_ factors: [Int]) -> Double { factors.reduce(1.0) { $0 * Double($1) } }

    /// A count past `CheckedSize.countLimit`: "this model needs 4.6e18 parameters" at the layer.
    private static func tooLarge(_ decl: LayerDecl, _ name: String, count: Double, of what: String) -> Diagnostic {
        .error("sema.size-overflow",
               "this model needs \(CheckedSize.scientific(count)) \(what) in \(name) (`\(decl.kind.sourceForm)`) alone: "
                   + "more than convnetc counts (\(CheckedSize.scientific(Double(CheckedSize.countLimit))))",
               at: decl.keywordRange,
               help: "use fewer units or filters, or a smaller input before this layer")
    }

    private static func overflow(_ decl: LayerDecl, _ name: String) -> Diagnostic {
        .error("sema.size-overflow",
               "\(name) (`\(decl.kind.sourceForm)`) has more elements or weights than can be counted",
               at: decl.keywordRange,
               help: "use smaller sizes; the counts overflow a 64-bit integer")
    }
}

/// The matmul a layer lowers to on the MXU, `(M, K) x (K, N)` for the global batch, with what K
/// means for this kind and how to say it in a lint message; nil for layers without one.
struct LoweredMatmul {
    var m: Int, k: Int, n: Int
    var kMeaning: String
    var what = "lowers to a matmul"
}

extension LayerRules {
    /// The layer's matmul (`mxu-padding`): convolutions as im2col x kernel, dense as is, the 1x1
    /// half of a separable convolution; nil for the rest (a depthwise convolution is vector work).
    static func matmul(of layer: CheckedLayer, batch: Int) -> LoweredMatmul? {
        switch layer.kind {
        case .conv(let c):
            return LoweredMatmul(m: CheckedSize.saturatingProduct(batch, layer.outputShape.height, layer.outputShape.width),
                                 k: c.kernelHeight * c.kernelWidth * layer.inputShape.channels, n: c.filters,
                                 kMeaning: "K = KH*KW*Cin")
        case .dense(let d):
            return LoweredMatmul(m: batch, k: layer.inputShape.channels, n: d.units, kMeaning: "K = inputs")
        case .separableConv(let c):
            // The depthwise half runs on the vector unit; the pointwise half is the matmul.
            return LoweredMatmul(m: batch * layer.outputShape.height * layer.outputShape.width,
                                 k: layer.inputShape.channels * c.multiplier, n: c.filters, kMeaning: "K = Cin*multiplier",
                                 what: "runs its depthwise half on the vector unit and its 1x1 half as a matmul")
        case .depthwiseConv, .maxPool, .avgPool, .globalAveragePool, .flatten, .dropout, .batchNorm, .activation, .concat, .add:
            return nil
        }
    }
}
