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

    /// `im2col` values folded into a chunked `Conv2D.backwardFilter` at their `matmul`.
    private func foldedIm2col() -> [ValueID: (x: ValueID, attrs: ConvAttributes)] {
        let uses = graph.useCounts()
        let defs = graph.definitionIndex()
        var folded: [ValueID: (ValueID, ConvAttributes)] = [:]
        for inst in graph.instructions {
            guard case .matmul(true, false) = inst.op, let i = defs[inst.operands[0]],
                  case .im2col(let attrs) = graph.instructions[i].op, uses[inst.operands[0]] == 1,
                  let j = defs[inst.operands[1]], case .reshape = graph.instructions[j].op,
                  graph.type(of: graph.instructions[j].operands[0])?.rank == 4 else { continue }
            folded[inst.operands[0]] = (graph.instructions[i].operands[0], attrs)
        }
        return folded
    }

    /// `matmul(reshape(dy), reshape(w)) transpose_b` used only by a `col2im`: the lowered input
    /// gradient of a convolution, run as one banded `ParallelConv.backwardInput` at the col2im
    /// (never the whole batch's column matrix). Keyed by the matmul's result.
    private func foldedInputGradients() -> [ValueID: (dy: ValueID, w: ValueID)] {
        let uses = graph.useCounts()
        let defs = graph.definitionIndex()
        var folded: [ValueID: (ValueID, ValueID)] = [:]
        for inst in graph.instructions {
            guard case .col2im = inst.op, uses[inst.operands[0]] == 1, let i = defs[inst.operands[0]],
                  case .matmul(false, true) = graph.instructions[i].op else { continue }
            let mm = graph.instructions[i]
            guard let j = defs[mm.operands[0]], case .reshape = graph.instructions[j].op,
                  let k = defs[mm.operands[1]], case .reshape = graph.instructions[k].op else { continue }
            let dy = graph.instructions[j].operands[0], w = graph.instructions[k].operands[0]
            guard graph.type(of: dy)?.rank == 4, graph.type(of: w)?.rank == 4 else { continue }
            folded[mm.result] = (dy, w)
        }
        return folded
    }

    /// Floats of the shared im2col scratch: the largest chunk of any convolution.
    private func scratchFloats() -> Int {
        var most = 0
        func visit(_ g: Graph) {
            for inst in g.instructions {
                switch inst.op {
                case .im2col(let a), .col2im(let a):
                    let x = inst.op.mnemonic == "im2col" ? (g.type(of: inst.operands[0])?.shape ?? []) : inst.type.shape
                    guard x.count == 4 else { continue }
                    let perImage = OpEmitter.scratchFloats(x, filters: 1, a, images: 1)
                    guard perImage > 0 else { continue }
                    let images = max(1, min(x[0], scratchBudget / perImage))
                    most = max(most, images * perImage)
                case .fusion(_, let body): visit(body)
                default: break
                }
            }
        }
        visit(graph)
        return most
    }

    /// `next` when it is a max pool of fusion `inst`'s result that the fusion's convolution may
    /// run (`ParallelConv.forward(thenMaxPool:)`): the pool kernels apply and the pool's output
    /// shares no byte with what the convolution reads or writes (the CPU executor's rule).
    static func poolAfter(_ inst: Instruction, _ next: Instruction, layout: StorageLayout) -> Instruction? {
        guard case .maxPool(let p) = next.op, next.operands == [inst.result], OpEmitter.poolKernelsApply(p),
              let out = layout.slots[next.result] else { return nil }
        func bytes(_ s: StorageLayout.Slot) -> Range<Int> { s.offset..<(s.offset + max(s.count * 4, 1)) }
        let touched = (inst.operands + [inst.result]).compactMap { layout.slots[$0] }
        return touched.contains { bytes($0).overlaps(bytes(out)) } ? nil : next
    }

    /// A Swift identifier for a value: its input name (`conv2d_kernel_m`) or `v18`.
    static func identifier(_ inst: Instruction) -> String {
        if case .input = inst.op, let name = inst.name {
            let id = String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            return id.first?.isNumber == true ? "_" + id : id
        }
        return "v\(inst.result.raw)"
    }

    func emit() throws -> String {
        let folded = foldedIm2col()
        let inputGradients = foldedInputGradients()
        let defs = Dictionary(graph.instructions.map { ($0.result, $0) }, uniquingKeysWith: { a, _ in a })
        let skipped = Set(folded.keys).union(inputGradients.keys)
        // What the code will write, in order, and what each block reads (folded gradients read
        // the convolution's own operands, not the lowered intermediates).
        var emitted: [ValueID] = []
        var reads: [ValueID: [ValueID]] = [:]
        let aliases = optimized.buffers.aliases
        for inst in graph.instructions {
            switch inst.op {
            case .input: continue
            case .reshape where aliases[inst.result] != nil: continue
            default: if skipped.contains(inst.result) { continue }
            }
            emitted.append(inst.result)
            if case .matmul = inst.op, let (x, _) = folded[inst.operands[0]] {
                reads[inst.result] = [x, defs[inst.operands[1]]!.operands[0]]
            } else if case .col2im = inst.op, let (dy, w) = inputGradients[inst.operands[0]] {
                reads[inst.result] = [dy, w]
            } else {
                reads[inst.result] = inst.operands
            }
        }
        let layout = StorageLayout(graph, assignment: optimized.buffers, emitted: emitted, reads: reads)
            ?? StorageLayout(graph, skipping: skipped)
        var referenced: Set<ValueID> = []
        let name: (ValueID) -> String = { v in
            referenced.insert(v)
            return Self.identifier(defs[v]!)
        }
        let type: (ValueID) -> TensorType = { defs[$0]!.type }
        let convs = ConvRegistry()
        let side = SideStorage(recordsWinners: graph.containsInstruction { if case .maxPoolGrad = $0.op { true } else { false } })
        let ops = OpEmitter(name: name, type: type, convs: convs, side: side)
        let fusions = FusionEmitter(ops: ops)

        // The body of run(): one block per instruction.
        var body = CodeWriter()
        let insts = graph.instructions
        var pooledByConvolution: Set<ValueID> = []
        for (index, inst) in insts.enumerated() {
            switch inst.op {
            case .input: continue
            case .reshape where layout.slots[inst.result]?.offset == layout.slots[inst.operands[0]]?.offset: continue
            case .im2col where folded[inst.result] != nil: continue
            case .matmul where inputGradients[inst.result] != nil: continue
            default: break
            }
            body.line()
            body.line(comments.comment(layer: inst.layer, shape: inst.type.shape))
            body.line(opComment(inst, defs: defs, filterGradient: folded[inst.operands.first ?? inst.result] != nil,
                                inputGradient: inputGradients[inst.operands.first ?? inst.result] != nil))
            let out = name(inst.result)
            if pooledByConvolution.contains(inst.result) {
                body.line("// computed by the convolution above, band by band (ParallelConv.forward(thenMaxPool:))")
            } else if case .matmul = inst.op, let (x, attrs) = folded[inst.operands[0]] {
                let dy = defs[inst.operands[1]]!.operands[0]
                let conv = convs.add("conv\(inst.result.raw)", geometry: OpEmitter.geometry(type(x).shape, filters: type(dy).shape[3], attrs),
                                     filterGradient: true)
                body.line("\(conv).backwardFilter(input: \(name(x)), outputGradient: \(name(dy)), weightGradient: \(out))")
            } else if case .col2im(let attrs) = inst.op, let (dy, wts) = inputGradients[inst.operands[0]] {
                let conv = convs.add("conv\(inst.result.raw)", geometry: OpEmitter.geometry(inst.type.shape, filters: type(dy).shape[3], attrs),
                                     filterGradient: false)
                body.line("\(conv).backwardInput(outputGradient: \(name(dy)), weights: \(name(wts)), inputGradient: \(out))")
            } else if case .fusion(let kind, let fbody) = inst.op {
                let pool = index + 1 < insts.count ? Self.poolAfter(inst, insts[index + 1], layout: layout) : nil
                if try fusions.emit(inst, kind: kind, body: fbody, out: out,
                                    thenMaxPool: pool.map { ($0, name($0.result)) }, into: &body), let pool {
                    pooledByConvolution.insert(pool.result)
                }
            } else if case .biasGrad = inst.op, let sums = side.biasSums[inst.operands[0]] {
                // Summed by the fused backward pass that produced the operand.
                body.line("for k in 0..<\(sums.channels) { \(out)[k] = Float(arena.doubles(\(sums.offset))[k]) }  // summed by the fused pass above")
            } else {
                try ops.emit(inst, out: out, into: &body)
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
                    w.line("\(String(repeating: " ", count: c.name.count + 16))budget: \(Self.convBudget), scratch: convScratch, arena: convArena, filterGradient: \(c.filterGradient))")
                }
                if !convs.entries.isEmpty { w.line("convScratch.pointer = convArena.floats(convScratch.floats)") }
            }
            accessors(&w, layout: layout, defs: defs)
            w.line()
            w.block("func run() throws {") { w in
                w.line("if BLASInfo.threadCount != 1 { BLASInfo.setThreadCount(1) }  // the convolutions split the batch over the cores")
                if usesScratch { w.line("let scratch = arena.scratch") }
                for inst in graph.instructions where referenced.contains(inst.result) {
                    let slot = layout.slot(inst.result)
                    let kind = slot.element == .i32 ? "i32" : "f32"
                    w.line("let \(Self.identifier(inst)) = arena.\(kind)(\(slot.offset))  // \(Literal.shape(slot.shape))")
                    if let probs = layout.privateSlots[inst.result] {
                        w.line("let \(Self.identifier(inst))_probabilities = arena.f32(\(probs.offset))  // \(Literal.shape(probs.shape))")
                    }
                }
                for line in body.lines { w.line(line) }
            }
        }
        return w.text
    }

    /// The second comment line of a block: the IR op and its operands, or for a folded
    /// lowered convolution gradient what it computes.
    private func opComment(_ inst: Instruction, defs: [ValueID: Instruction], filterGradient: Bool, inputGradient: Bool) -> String {
        if case .matmul = inst.op, filterGradient {
            return "// conv2d_filter_grad, lowered to im2col + matmul transpose_a: run in bands, no whole-batch column matrix"
        }
        if case .col2im = inst.op, inputGradient {
            return "// conv2d_input_grad, lowered to matmul transpose_b + col2im: run in bands, no whole-batch column matrix"
        }
        return "// \(inst.op.mnemonic)(\(inst.operands.map { Self.identifier(defs[$0]!) }.joined(separator: ", ")))"
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
