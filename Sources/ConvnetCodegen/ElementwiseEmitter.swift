import ConvnetIR
import ConvnetNativeRuntime

/// Emits a chain of elementwise instructions (a `fusion.loop` body, or one pointwise op) as one
/// specialised loop over the result's elements: scalars are read once before the loop, bias
/// vectors indexed by channel, intermediate results are locals, and the last one is stored.
struct ElementwiseEmitter {
    /// Names (pointer expressions) of values defined outside the chain.
    let name: (ValueID) -> String
    /// Types of every value the chain reads.
    let type: (ValueID) -> TensorType

    /// Loops of at least this many elements run on every core (an activation of squeezenet's
    /// first layers is 1.2M); smaller ones (a bias, an optimizer update of a small kernel) cost
    /// less than waking the workers.
    static let parallelCount = 1 << 16
    /// Elements per task of a parallel loop.
    static let parallelGrain = 1 << 14

    /// Whether `chain` can be emitted as one loop writing `count` elements.
    static func accepts(_ chain: [Instruction], count: Int) -> Bool {
        guard !chain.isEmpty else { return false }
        for inst in chain {
            if case .constant = inst.op, inst.type.isScalar { continue }
            guard case .elementwise(let e) = inst.op.family else { return false }
            if case .convert = e, inst.type.element != .f32 { return false }
            if inst.type.elementCount != count || inst.type.element != .f32 { return false }
        }
        return true
    }

    /// Writes the loop storing the chain's last value into `output` (`count` elements).
    func emit(_ chain: [Instruction], count: Int, output: String, into w: inout CodeWriter) throws {
        var local: [ValueID: String] = [:]
        var hoisted: [String] = []
        var hoistedNames: [ValueID: String] = [:]
        var body: [String] = []
        let single = count == 1
        let index = single ? "0" : "i"

        func operand(_ v: ValueID, bias: Bool) throws -> String {
            if let l = local[v] { return l }
            let t = type(v)
            if t.elementCount == count && !bias { return "\(name(v))[\(index)]" }
            if t.isScalar || t.elementCount == 1 {
                if single { return "\(name(v))[0]" }
                if let h = hoistedNames[v] { return h }
                let h = "s\(v.raw)"
                hoisted.append("let \(h) = \(name(v))[0]")
                hoistedNames[v] = h
                return h
            }
            if bias { return "\(name(v))[i % \(t.elementCount)]" }
            throw EmitError("an elementwise operand of \(t) does not fit \(count) elements")
        }

        for (position, inst) in chain.enumerated() {
            if case .constant(let value) = inst.op {
                local[inst.result] = Literal.float(value)
                continue
            }
            let a = try inst.operands.enumerated().map { k, v in
                try operand(v, bias: { if case .biasAdd = inst.op { k == 1 } else { false } }())
            }
            let expr = try Self.expression(inst.op, a)
            if position == chain.count - 1 {
                body.append("\(output)[\(index)] = \(expr)")
            } else {
                let t = "t\(inst.result.raw)"
                body.append("let \(t) = \(expr)")
                local[inst.result] = t
            }
        }
        // Locals outside a loop get their own scope, so blocks of run() never collide.
        if single {
            if body.count == 1 {
                w.line(body[0])
            } else {
                w.block("do {") { w in for line in body { w.line(line) } }
            }
            return
        }
        let loop: (inout CodeWriter) -> Void = { w in
            guard count >= Self.parallelCount else {
                w.block("for i in 0..<\(count) {") { w in for line in body { w.line(line) } }
                return
            }
            // Large loops split over the cores, as the CPU executor's `ElementwiseLoop`: each
            // element is computed alone, so the split changes no bits.
            w.block("Parallel.forRanges(\(count), grain: \(Self.parallelGrain)) { range in") { w in
                w.block("for i in range {") { w in for line in body { w.line(line) } }
            }
        }
        if hoisted.isEmpty {
            loop(&w)
        } else {
            w.block("do {") { w in
                for line in hoisted { w.line(line) }
                loop(&w)
            }
        }
    }

    /// The Swift expression of one pointwise op on operand expressions, spelled as the CPU
    /// executor's `ElementwiseLoop` computes it (same operations, same order).
    static func expression(_ op: Op, _ a: [String]) throws -> String {
        guard case .elementwise(let e) = op.family else { throw EmitError("\(op.mnemonic) is not elementwise") }
        return switch e {
        case .unary(.neg): "-\(a[0])"
        case .unary(.sqrt): "\(a[0]).squareRoot()"
        case .unary(.exp): "Foundation.exp(\(a[0]))"
        case .unary(.log): "Foundation.log(\(a[0]))"
        case .binary(.add), .biasAdd: "\(a[0]) + \(a[1])"
        case .binary(.sub): "\(a[0]) - \(a[1])"
        case .binary(.mul): "\(a[0]) * \(a[1])"
        case .binary(.div): "\(a[0]) / \(a[1])"
        case .binary(.pow): "Foundation.pow(\(a[0]), \(a[1]))"
        case .activation(.relu): "\(a[0]) > 0 ? \(a[0]) : 0"
        case .activation(.sigmoid): "1 / (1 + Foundation.exp(-\(a[0])))"
        case .activation(.tanh): "Foundation.tanh(\(a[0]))"
        case .activationGrad(.relu): "\(a[1]) <= 0 ? 0 : \(a[0])"
        case .activationGrad(.sigmoid): "\(a[0]) * (\(a[1]) * (1 - \(a[1])))"
        case .activationGrad(.tanh): "\(a[0]) * (1 - \(a[1]) * \(a[1]))"
        case .convert: a.first ?? "0"  // f32 -> f32 (`accepts` admits no other): a copy
        }
    }
}
