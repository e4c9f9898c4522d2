import ConvnetSupport
import ConvnetSyntax

/// Expands the syntax tree (statements, merges, residuals, block calls) into the model graph:
/// checked nodes in topological order, each with explicit inputs, named the way Keras' functional
/// API names layers built in the same textual order.
///
/// A node that cannot be built (a shape error, a bad argument) makes its output unknown; every
/// node reading an unknown value is skipped silently, so one mistake is one error while
/// independent branches are still checked.
struct GraphExpansion {
    /// The most nodes a model may expand to: block calls can multiply, and a hostile file must
    /// not make the compiler build millions of layers.
    static let maxNodes = 100_000
    /// The deepest chain of block calls (a block calling a block calling ...).
    static let maxCallDepth = 64

    /// A value flowing between statements: a node's output (or the images) with its shape, or
    /// unknown after an error.
    enum Value {
        case ok(LayerInput, TensorShape)
        case failed
    }

    /// What the statements being expanded were called with.
    struct Frame {
        var arguments: [String: Spanned<Int>] = [:]
        var callSites: [SourceRange] = []
        var notes: [DiagnosticNote] = []
    }

    let blocks: [String: BlockDecl]
    /// Blocks whose definition holds a parse error: calling one stops the expansion.
    let brokenBlocks: Set<String>
    /// Whether unknown block names are reported (not when parse errors may have dropped the
    /// definition).
    let reportUnknownBlocks: Bool
    let source: SourceFile
    private(set) var cyclicBlocks: Set<String> = []
    private(set) var nodes: [CheckedLayer] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var naming = KerasNaming()
    /// Parameters and MACs so far, checked (`ModelTotals`): past the limit, the layer is an error.
    private var totals = ModelTotals()
    private var reported: Set<String> = []
    /// Set when the expansion must end (node limit, a broken block).
    private(set) var stopped = false

    init(file: ModelFile, parseErrors: [Int]) {
        var blocks: [String: BlockDecl] = [:]
        for block in file.blocks where blocks[block.name.value] == nil { blocks[block.name.value] = block }
        self.blocks = blocks
        self.brokenBlocks = Set(file.blocks.filter { b in parseErrors.contains { b.range.start <= $0 && $0 <= b.range.end } }
            .map(\.name.value))
        self.reportUnknownBlocks = parseErrors.isEmpty
        self.source = file.source
        findRecursion(file.blocks)
    }

    // MARK: - Statements

    mutating func expand(_ statements: [Statement], from input: Value, frame: Frame) -> Value {
        var x = input
        for statement in statements {
            if stopped { return .failed }
            x = expand(statement, from: x, frame: frame)
        }
        return x
    }

    mutating func expand(_ statement: Statement, from x: Value, frame: Frame) -> Value {
        switch statement {
        case .layer(let decl):
            guard let decl = substitute(decl, frame: frame) else { return .failed }
            guard case .ok(let source, let shape) = x else { return .failed }
            return addNode(decl, inputs: [source], shapes: [shape], frame: frame)

        case .merge(let merge):
            let outputs = merge.branches.map { $0.body.isEmpty ? x : expand($0.body, from: x, frame: frame) }
            var inputs: [LayerInput] = [], shapes: [TensorShape] = []
            for case .ok(let source, let shape) in outputs {
                inputs.append(source)
                shapes.append(shape)
            }
            guard inputs.count == outputs.count else { return .failed }
            if let why = LayerRules.mergeMismatch(merge.kind, shapes: shapes) {
                report(.error("sema.merge-shape-mismatch", why, at: merge.keywordRange,
                              help: merge.kind == .concat
                                ? "keep every branch's height and width equal: padding same, and the same strides and pools in each branch"
                                : "give every branch the same shape: the same strides and pools, and the same filter count at the end of each",
                              notes: zip(merge.branches, shapes).enumerated().map { i, pair in
                                  DiagnosticNote("branch \(i + 1) gives \(pair.1)", at: pair.0.keywordRange)
                              } + frame.notes))
                return .failed
            }
            let kind: LayerKind = switch merge.kind {
            case .concat: .concat
            case .add: .add
            }
            let decl = LayerDecl(kind: kind, range: merge.range, keywordRange: merge.keywordRange)
            return addNode(decl, inputs: inputs, shapes: shapes, frame: frame)

        case .residual(let residual):
            let body = residual.body.isEmpty ? x : expand(residual.body, from: x, frame: frame)
            guard case .ok(let source, let shape) = x, case .ok(let bodySource, let bodyShape) = body else {
                return .failed
            }
            guard bodyShape == shape else {
                report(.error("sema.residual-changes-shape",
                              "the residual body turns \(shape) into \(bodyShape); residual adds the body's output to its input, so the two shapes must be equal",
                              at: residual.keywordRange,
                              help: bodyShape.rank == 3 && shape.rank == 3
                                ? "keep the shape inside the body: padding same, no stride or pooling, and end with \(shape.channels) filters (e.g. conv 1x1x\(shape.channels))"
                                : "keep the body's layers spatial and the shape unchanged",
                              notes: frame.notes))
                return .failed
            }
            let decl = LayerDecl(kind: .add, range: residual.range, keywordRange: residual.keywordRange)
            return addNode(decl, inputs: [bodySource, source], shapes: [bodyShape, shape], frame: frame)

        case .call(let call):
            return expandCall(call, from: x, frame: frame)
        }
    }

    // MARK: - Calls

    private mutating func expandCall(_ call: CallDecl, from x: Value, frame: Frame) -> Value {
        let name = call.name.value
        guard let block = blocks[name] else {
            if reportUnknownBlocks {
                let names = blocks.keys.sorted()
                report(.error("sema.unknown-block", "unknown block '\(name)'", at: call.name.range,
                              help: Suggestion.help(for: name, among: names, otherwise: names.isEmpty
                                ? "define it first: block \(name)(...) { ... }"
                                : "the blocks defined are \(names.joined(separator: ", "))"),
                              notes: frame.notes))
            }
            return .failed
        }
        let parameters = block.parameters.map(\.value)
        guard call.arguments.count == parameters.count else {
            let list = parameters.isEmpty ? "none" : parameters.joined(separator: ", ")
            report(.error("sema.block-argument-count",
                          "block '\(name)' takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(list)), but this call gives \(call.arguments.count)",
                          at: call.range,
                          help: "write \(name)(\(parameters.map { "<\($0)>" }.joined(separator: ", ")))",
                          notes: [DiagnosticNote("'\(name)' is defined here", at: block.name.range)] + frame.notes))
            return .failed
        }
        if cyclicBlocks.contains(name) { return .failed }
        if brokenBlocks.contains(name) {
            stopped = true
            return .failed
        }
        var arguments: [String: Spanned<Int>] = [:]
        for (parameter, argument) in zip(parameters, call.arguments) {
            switch argument.value {
            case .literal(let v): arguments[parameter] = Spanned(v, argument.range)
            case .parameter(let outer):
                guard let value = frame.arguments[outer] else { return .failed }
                arguments[parameter] = Spanned(value.value, argument.range)
            }
        }
        guard frame.callSites.count < Self.maxCallDepth else {
            report(.error("sema.calls-too-deep", "block calls nest more than \(Self.maxCallDepth) deep here",
                          at: call.range, help: "call fewer blocks inside blocks", notes: frame.notes))
            stopped = true
            return .failed
        }
        let shown = source.text(call.range)
        let inner = Frame(arguments: arguments, callSites: frame.callSites + [call.range],
                          notes: [DiagnosticNote("in the expansion of \(shown)", at: call.range)] + frame.notes)
        return expand(block.body, from: x, frame: inner)
    }

    /// A block that expands into itself (directly or through others) is reported once, at the
    /// call that closes the cycle, and its calls are skipped afterwards.
    private mutating func findRecursion(_ definitions: [BlockDecl]) {
        var state: [String: Int] = [:]  // 1: on the current path, 2: done
        var path: [(name: String, call: CallDecl?)] = []
        func calls(_ statements: [Statement]) -> [CallDecl] {
            statements.flatMap { s -> [CallDecl] in
                switch s {
                case .layer: []
                case .call(let c): [c]
                case .merge(let m): m.branches.flatMap { calls($0.body) }
                case .residual(let r): calls(r.body)
                }
            }
        }
        func visit(_ name: String, via call: CallDecl?) {
            guard let block = blocks[name] else { return }
            path.append((name, call))
            state[name] = 1
            for c in calls(block.body) {
                let callee = c.name.value
                switch state[callee] {
                case 1:
                    let start = path.firstIndex { $0.name == callee }!
                    let cycle = path[start...].map(\.name) + [callee]
                    for n in cycle { cyclicBlocks.insert(n) }
                    report(.error("sema.recursive-block",
                                  cycle.count == 2 ? "block '\(callee)' calls itself"
                                                   : "block '\(callee)' calls itself through \(cycle.joined(separator: " -> "))",
                                  at: c.name.range,
                                  help: "a block expands in place, so it cannot contain itself; remove this call or write the repeated layers out"))
                case 2: continue
                default: visit(callee, via: c)
                }
            }
            state[name] = 2
            path.removeLast()
        }
        for block in definitions where state[block.name.value] == nil { visit(block.name.value, via: nil) }
    }

    // MARK: - Nodes

    /// The layer with its `{name}`s replaced by the call's arguments, each checked against the
    /// rule for the number it stands for. Nil after reporting a bad value.
    private mutating func substitute(_ decl: LayerDecl, frame: Frame) -> LayerDecl? {
        var out = decl
        var ok = true
        for placeholder in decl.placeholders {
            guard let argument = frame.arguments[placeholder.name] else { return nil }
            let v = argument.value
            if let rule = placeholder.slot.violation(v) {
                report(.error("sema.argument-out-of-range",
                              "'{\(placeholder.name)}' is \(v) here, but the \(placeholder.slot.rawValue) \(rule)",
                              at: placeholder.range, help: "pass a value that \(rule) for \(placeholder.name)",
                              notes: [DiagnosticNote("\(placeholder.name) = \(v) comes from here", at: argument.range)] + frame.notes))
                ok = false
                continue
            }
            out.kind = out.kind.substituting(placeholder.slot, v)
        }
        return ok ? out : nil
    }

    private mutating func addNode(_ decl: LayerDecl, inputs: [LayerInput], shapes: [TensorShape],
                                  frame: Frame) -> Value {
        guard nodes.count < Self.maxNodes else {
            report(.error("sema.too-many-layers", "the model expands to more than \(NumberFormat.grouped(Self.maxNodes)) layers",
                          at: frame.callSites.first ?? decl.keywordRange,
                          help: "call blocks fewer times; every call copies the block's layers"))
            stopped = true
            return .failed
        }
        let (name, type) = naming.next(decl.kind)
        switch LayerRules.apply(decl, name: name, to: shapes) {
        case .failure(var diagnostic):
            diagnostic.notes += frame.notes
            report(diagnostic)
            return .failed
        case .ok(let output, let params, let trainable, let macs):
            guard let elements = output.elementCount, elements <= SemanticAnalyzer.maxElementsPerExample else {
                report(.error(
                    "sema.shape-too-large",
                    "\(name) (`\(decl.kind.sourceForm)`) outputs \(output): more than \(NumberFormat.grouped(SemanticAnalyzer.maxElementsPerExample)) elements per image",
                    at: decl.keywordRange, help: "use fewer filters or downsample earlier", notes: frame.notes))
                return .failed
            }
            if var tooLarge = totals.add(params: params, macs: macs, layer: name, decl: decl) {
                tooLarge.notes += frame.notes
                report(tooLarge)
                stopped = true
                return .failed
            }
            let index = nodes.count
            nodes.append(CheckedLayer(index: index, decl: decl, inputs: inputs, inputShapes: shapes,
                                      callSites: frame.callSites, name: name, kerasType: type,
                                      outputShape: output, params: params, trainableParams: trainable,
                                      macs: macs, activationBytes: elements * 4))
            return .ok(.layer(index), output)
        }
    }

    /// Records a diagnostic once: a block expanded several times reports the same mistake once.
    private mutating func report(_ diagnostic: Diagnostic) {
        let key = "\(diagnostic.id)|\(diagnostic.range?.start ?? -1)|\(diagnostic.message)"
        guard reported.insert(key).inserted else { return }
        diagnostics.append(diagnostic)
    }
}

extension Placeholder.Slot {
    /// The rule a value breaks for this number ("must be at least 1"), or nil when it is fine.
    func violation(_ v: Int) -> String? {
        switch self {
        case .kernelHeight, .kernelWidth, .filters, .stride, .multiplier, .poolSize, .units:
            v >= 1 ? nil : "must be at least 1"
        case .dropoutRate, .momentum:
            v == 0 ? nil : "must be at least 0 and below 1"
        case .epsilon:
            v > 0 ? nil : "must be above 0"
        }
    }
}

extension LayerKind {
    /// The kind with the number `slot` set to `v`; a slot the kind does not have leaves it as is
    /// (the parser only records slots a layer has).
    func substituting(_ slot: Placeholder.Slot, _ v: Int) -> LayerKind {
        switch self {
        case .conv(var c):
            switch slot {
            case .kernelHeight: c.kernelHeight = v
            case .kernelWidth: c.kernelWidth = v
            case .filters: c.filters = v
            case .stride: c.stride = v
            case .multiplier, .poolSize, .units, .dropoutRate, .momentum, .epsilon: break
            }
            return .conv(c)
        case .depthwiseConv(var d):
            switch slot {
            case .kernelHeight: d.kernelHeight = v
            case .kernelWidth: d.kernelWidth = v
            case .stride: d.stride = v
            case .multiplier: d.multiplier = v
            case .filters, .poolSize, .units, .dropoutRate, .momentum, .epsilon: break
            }
            return .depthwiseConv(d)
        case .separableConv(var c):
            switch slot {
            case .kernelHeight: c.kernelHeight = v
            case .kernelWidth: c.kernelWidth = v
            case .filters: c.filters = v
            case .stride: c.stride = v
            case .multiplier: c.multiplier = v
            case .poolSize, .units, .dropoutRate, .momentum, .epsilon: break
            }
            return .separableConv(c)
        case .maxPool(var p), .avgPool(var p):
            // `maxpool {p}` without a stride: the parser recorded `{p}` for the stride too.
            switch slot {
            case .poolSize: p.size = v
            case .stride: p.stride = v
            case .kernelHeight, .kernelWidth, .filters, .multiplier, .units, .dropoutRate, .momentum, .epsilon: break
            }
            if case .maxPool = self { return .maxPool(p) }
            return .avgPool(p)
        case .dense(var d):
            if slot == .units { d.units = v }
            return .dense(d)
        case .dropout:
            return slot == .dropoutRate ? .dropout(rate: Double(v)) : self
        case .batchNorm(var b):
            if slot == .momentum { b.momentum = Double(v) }
            if slot == .epsilon { b.epsilon = Double(v) }
            return .batchNorm(b)
        case .globalAveragePool, .flatten, .activation, .concat, .add:
            return self
        }
    }
}
