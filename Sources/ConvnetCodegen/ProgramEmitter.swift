import ConvnetIR
import ConvnetOptimizer

/// Emits one optimized program (the training step or inference) as a Swift class conforming to
/// `CompiledProgram`: storage laid out at emission time, and a `run()` that is straight-line
/// code, one commented block per instruction, every shape and offset a literal.
struct ProgramEmitter {
    let className: String
    let optimized: OptimizedProgram
    let comments: LayerComments
    /// About how many floats of im2col columns a convolution processes at a time.
    var scratchBudget = 1 << 22

    private var graph: Graph { optimized.graph }
    /// Floats of im2col columns per band of a `ParallelConv` (the CPU target's default).
    static let convBudget = 1 << 17

    /// Floats of the shared im2col scratch: the largest chunk of any convolution.
    private func scratchFloats() -> Int {
        var most = 0
        func visit(_ g: Graph) {
            for inst in g.instructions {
                if case .fusion(_, let body) = inst.op { visit(body); continue }
                let window: (attributes: ConvAttributes, image: [Int])
                if case .im2col(let a) = inst.op {
                    window = (a, g.type(of: inst.operands[0])?.shape ?? [])
                } else if case .col2im(let a) = inst.op {
                    window = (a, inst.type.shape)
                } else {
                    continue
                }
                let x = window.image
                guard x.count == 4 else { continue }
                let perImage = OpEmitter.scratchFloats(x, filters: 1, window.attributes, images: 1)
                guard perImage > 0 else { continue }
                let images = max(1, min(x[0], scratchBudget / perImage))
                most = max(most, images * perImage)
            }
        }
        visit(graph)
        return most
    }

    /// A Swift identifier for a value: its input name (`conv2d_kernel_m`) or `v18`.
    static func identifier(_ v: ValueID, _ inst: Instruction) -> String {
        if case .input = inst.op, let name = inst.name {
            let id = String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            return id.first?.isNumber == true ? "_" + id : id
        }
        return "v\(v.raw)"
    }

    func emit() throws -> String {
        var defs: [ValueID: Instruction] = [:]
        for inst in graph.instructions { for d in inst.definitions where defs[d.value] == nil { defs[d.value] = inst } }
        let layout = StorageLayout(graph, assignment: optimized.buffers)
        var referenced: Set<ValueID> = []
        let name: (ValueID) -> String = { v in
            referenced.insert(v)
            return Self.identifier(v, defs[v]!)
        }
        let types = graph.types()
        let type: (ValueID) -> TensorType = { types[$0]! }
        let convs = ConvRegistry()
        let side = SideStorage(recordsWinners: graph.containsInstruction { if case .maxPoolGrad = $0.op { true } else { false } })
        var ops = OpEmitter(name: name, type: type, convs: convs, side: side)
        let views = optimized.buffers.channelViews
        ops.stride = { views[$0]?.rowStride }
        let fusions = FusionEmitter(ops: ops)

        // The body of run(): one block per instruction, as planned.
        var body = CodeWriter()
        var calls: [LayerComments.Call] = []
        for inst in graph.instructions {
            if case .input = inst.op { continue }
            if case .reshape = inst.op, layout.slots[inst.result]?.offset == layout.slots[inst.operands[0]]?.offset { continue }
            body.line()
            let entered = comments.calls(of: inst.layer)
            for header in LayerComments.headers(from: calls, to: entered) { body.line(header) }
            calls = entered
            body.line(comments.comment(layer: inst.layer, shape: inst.type.shape))
            body.line(opComment(inst, defs: defs))
            try ops.checkViews(inst)
            if case .fusion(let kind, let fbody) = inst.op {
                try fusions.emit(inst, kind: kind, body: fbody, outs: inst.definitions.map { name($0.value) }, into: &body)
            } else {
                try ops.emit(inst, out: name(inst.result), into: &body)
            }
        }
        let usesScratch = body.lines.contains { $0.contains("scratch: scratch") }
        let scratch = usesScratch ? scratchFloats() : 0

        var w = CodeWriter()
        let p = optimized.program
        let what = p.kind == .trainingStep ? "The training step" : "Inference"
        w.line("/// \(what) at batch \(p.batch): \(graph.instructions.count) optimized instructions as straight-line code.")
        w.line("/// Storage: one arena of \(layout.bytes) bytes laid out at emission time "
               + (layout.shared ? "(the optimizer's buffer assignment)" : "(one slot per value)")
               + (scratch > 0 ? ", and \(scratch) floats of im2col scratch." : "."))
        w.block("final class \(className): CompiledProgram {") { w in
            w.line("let interface: ProgramInterface")
            w.line("private let arena = NativeArena(bytes: \(layout.bytes), scratchFloats: \(scratch)"
                   + (side.bytes > 0 ? ", sideBytes: \(side.bytes))" : ")"))
            if !convs.entries.isEmpty {
                w.line("/// The convolutions: ConvnetKernels' image-parallel, L2-banded kernels, and their shared band scratch.")
                w.line("private let convArena = Arena()")
                w.line("private let convScratch = SharedScratch()")
                for c in convs.entries { w.line("private let \(c.name): ParallelConv") }
            }
            w.line()
            w.line("/// `interface`: the program's inputs and outputs as emitted (`Model.swift`).")
            w.block("init(interface: ProgramInterface) {") { w in
                w.line("self.interface = interface")
                for c in convs.entries {
                    w.line("\(c.name) = ParallelConv(\(c.geometry),")
                    w.line("\(String(repeating: " ", count: c.name.count + 16))algorithm: \(c.algorithm), budget: \(Self.convBudget), scratch: convScratch, arena: convArena,")
                    w.line("\(String(repeating: " ", count: c.name.count + 16))filterGradient: \(c.filterGradient))")
                }
                if !convs.entries.isEmpty { w.line("convScratch.pointer = convArena.floats(convScratch.floats)") }
            }
            accessors(&w, layout: layout, defs: defs)
            w.line()
            w.block("func run() throws {") { w in
                w.line("if BLASInfo.threadCount != 1 { BLASInfo.setThreadCount(1) }  // the convolutions split the batch over the cores")
                if usesScratch { w.line("let scratch = arena.scratch") }
                for inst in graph.instructions {
                    for d in inst.definitions where referenced.contains(d.value) {
                        let slot = layout.slot(d.value)
                        let kind = slot.element == .i32 ? "i32" : "f32"
                        w.line("let \(Self.identifier(d.value, inst)) = arena.\(kind)(\(slot.offset))  // \(Literal.shape(slot.shape))")
                        if let probs = layout.privateSlots[d.value] {
                            w.line("let \(Self.identifier(d.value, inst))_probabilities = arena.f32(\(probs.offset))  // \(Literal.shape(probs.shape))")
                        }
                    }
                }
                for line in body.lines { w.line(line) }
            }
        }
        return w.text
    }

    /// The second comment line of a block: the IR op, its operands and its kernel decisions.
    private func opComment(_ inst: Instruction, defs: [ValueID: Instruction]) -> String {
        let plan = inst.kernel.map { " " + $0.printed } ?? ""
        return "// \(inst.op.mnemonic)(\(inst.operands.map { Self.identifier($0, defs[$0]!) }.joined(separator: ", ")))" + plan
    }

    /// `floats(input:)`, `int32s(input:)` and `floats(output:)`: switches over the names.
    private func accessors(_ w: inout CodeWriter, layout: StorageLayout, defs: [ValueID: Instruction]) {
        let inputs = graph.inputs.filter { $0.name != nil && layout.slots[$0.result] != nil }
        for (element, signature, kind) in [(ElementType.f32, "floats(input name: String) -> UnsafeMutableBufferPointer<Float>", "f32"),
                                           (.i32, "int32s(input name: String) -> UnsafeMutableBufferPointer<Int32>", "i32")] {
            w.line()
            w.block("func \(signature) {") { w in
                w.line("switch name {")
                for input in inputs where input.type.element == element {
                    let slot = layout.slot(input.result)
                    w.line("case \(Literal.string(input.name!)): arena.\(kind)(\(slot.offset), count: \(slot.count))  // \(Literal.shape(slot.shape))")
                }
                w.line("default: preconditionFailure(\"no \(kind) input named \\(name)\")")
                w.line("}")
            }
        }
        w.line()
        w.block("func floats(output name: String) -> UnsafeBufferPointer<Float> {") { w in
            w.line("switch name {")
            for output in graph.outputs {
                let slot = layout.slot(output.value)
                w.line("case \(Literal.string(output.name)): UnsafeBufferPointer(arena.f32(\(slot.offset), count: \(slot.count)))  // \(Literal.shape(slot.shape))")
            }
            w.line("default: preconditionFailure(\"no output named \\(name)\")")
            w.line("}")
        }
    }
}
