import ConvnetIR
import ConvnetSupport
import ConvnetKernels
import Foundation

/// A program compiled for the CPU: a flat list of steps bound to raw pointers into storage
/// allocated once, at compile time. `run()` calls the steps in order; it performs no lookup
/// and no allocation, so repeated runs use the same memory.
public final class CPUExecutable: ExecutableProgram, NamedBufferProgram {
    public let program: IRProgram
    private let arena = Arena()
    /// The arena's bytes, reserved with `MemoryBudget` before they were allocated.
    private var reservations: [MemoryBudget.Reservation] = []
    private let steps: [Step]
    /// The named inputs and outputs, each where the buffer plan put it in the arena.
    public let buffers: NamedBuffers

    /// Bytes of the buffer plan's arena.
    public let planBytes: Int
    /// Bytes of the shared im2col scratch (the largest chunk of any convolution).
    public let scratchBytes: Int
    /// How many steps compute batch moments: one per batch-normalised value, however many
    /// batch-norm ops read it (`ThunkBuilder+Norm`).
    public let batchMomentsPasses: Int
    /// Bytes this program reserved with `MemoryBudget` (arena, private buffers, scratch).
    public var reservedBytes: Int { reservations.reduce(0) { $0 + $1.bytes } }

    /// When true, `run()` times every step and adds to `profile`.
    public var profiling = false {
        didSet { if profiling { resetProfile() } }
    }
    private var stepSeconds: [Double]
    private let blasThreads: Int?
    private var profiledRuns = 0

    init(program: IRProgram, graph: Graph, plan: any BufferPlan, options: CPUCompiler) throws {
        self.program = program
        blasThreads = options.blasThreads
        for input in program.graph.inputs where input.name != nil {
            guard graph.input(named: input.name!)?.type == input.type else {
                throw CPUCompileError("the executed graph has no input \(input.name!) of type \(input.type)")
            }
        }
        for output in program.graph.outputs where graph.output(named: output.name) == nil {
            throw CPUCompileError("the executed graph has no output \(output.name)")
        }
        // Memory is reserved before it is allocated: a program too large for the machine is
        // refused here with the figure and a batch that fits, not by calloc or the OOM killer.
        let batch = program.batch
        func advice(_ needed: Double, _ available: Int) -> String {
            MemoryShortfall.batchAdvice(batch: batch, neededBytes: needed, availableBytes: available)
        }
        let privateBytes = graph.instructions.reduce(0.0) { sum, inst in
            plan.byteOffset(of: inst.result) == nil ? sum + Double(inst.type.elementCount) * 4 : sum
        }
        reservations.append(try MemoryBudget.reserve(Double(plan.arenaBytes) + privateBytes,
                                                     for: "the \(program.kind) program at batch \(batch)", advice: advice))
        let slab = arena.allocate(bytes: plan.arenaBytes)
        planBytes = plan.arenaBytes
        var env: ThunkBuilder.Environment = [:]
        var strides: [ValueID: Int] = [:]
        for inst in graph.instructions {
            for d in inst.definitions {
                if let offset = plan.byteOffset(of: d.value) {
                    env[d.value] = slab + offset
                    strides[d.value] = plan.rowStride(of: d.value)
                } else {
                    env[d.value] = arena.allocate(bytes: d.type.elementCount * 4)
                }
            }
        }
        let builder = ThunkBuilder(arena: arena, options: options)
        builder.recordsPoolWinners = graph.containsInstruction { if case .maxPoolGrad = $0.op { true } else { false } }
        try builder.lower(graph, env: env, strides: strides)
        // The fusion bodies' private buffers (allocated lazily while lowering, not yet touched)
        // and the shared convolution scratch.
        let reservedSoFar = reservations.reduce(0) { $0 + $1.bytes }
        reservations.append(try MemoryBudget.reserve(max(0, Double(arena.totalBytes) - Double(reservedSoFar))
                                                        + Double(builder.scratch.floats) * 4,
                                                     for: "the \(program.kind) program's fusion scratch at batch \(batch)",
                                                     advice: advice))
        if builder.scratch.floats > 0 {
            builder.scratch.pointer = arena.floats(builder.scratch.floats)
        }
        scratchBytes = builder.scratch.floats * 4
        batchMomentsPasses = builder.momentsPasses
        steps = builder.steps
        stepSeconds = Array(repeating: 0, count: steps.count)

        var named = NamedBuffers()
        for input in graph.inputs {
            guard let name = input.name, let p = env[input.result] else { continue }
            let n = input.type.elementCount
            if input.type.element == .i32 {
                named.intInputs[name] = UnsafeMutableBufferPointer(start: p.assumingMemoryBound(to: Int32.self), count: n)
            } else {
                named.floatInputs[name] = UnsafeMutableBufferPointer(start: p.assumingMemoryBound(to: Float.self), count: n)
            }
        }
        let types = graph.types()
        for output in graph.outputs {
            guard let p = env[output.value], let t = types[output.value] else {
                throw CPUCompileError("output \(output.name) is not defined")
            }
            named.outputs[output.name] = UnsafeMutableBufferPointer(start: p.assumingMemoryBound(to: Float.self),
                                                                    count: t.elementCount)
        }
        buffers = named
    }

    public func run() throws {
        if let n = blasThreads, BLASInfo.threadCount != n { BLASInfo.setThreadCount(n) }
        if !profiling {
            for step in steps { step.run() }
            return
        }
        for (i, step) in steps.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            step.run()
            stepSeconds[i] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        }
        profiledRuns += 1
    }

    /// Every byte the executable owns: the plan's arena, the scratch and private buffers.
    public var ownedBytes: Int { arena.totalBytes }

    /// How many steps a run executes (after the executor's own epilogue fusion).
    public var stepCount: Int { steps.count }
    /// Every step's (op, layer), in execution order: what runs, e.g. whether a concat copies.
    public var stepOps: [(op: String, layer: String)] { steps.map { ($0.op, $0.layer) } }

    /// The convolution algorithm each convolution step runs, in program order, by layer and
    /// step name (`fusion.conv_bias_relu_max_pool`): what the plan said, as the steps were bound.
    public var convolutionKernels: [(layer: String, op: String, kernel: ConvAlgorithm)] {
        steps.compactMap { s in s.kernel.map { (s.layer, s.op, $0) } }
    }

    /// Mean seconds per profiled run of every step, in execution order: (op mnemonic, model
    /// layer, seconds). Empty until `profiling` is on and a run has happened.
    public var profile: [(op: String, layer: String, seconds: Double)] {
        guard profiledRuns > 0 else { return [] }
        return zip(steps, stepSeconds).map { ($0.op, $0.layer, $1 / Double(profiledRuns)) }
    }

    /// Clears the accumulated step times.
    public func resetProfile() {
        for i in stepSeconds.indices { stepSeconds[i] = 0 }
        profiledRuns = 0
    }

    /// The profile summed by op, largest first, as printable lines
    /// (`conv2d_filter_grad  12  0.812 s  41.0%`).
    public func profileTable(byLayer: Bool = false) -> String {
        var totals: [String: (Int, Double)] = [:]
        for entry in profile {
            let key = byLayer ? "\(entry.op) [\(entry.layer)]" : entry.op
            let (n, s) = totals[key] ?? (0, 0)
            totals[key] = (n + 1, s + entry.seconds)
        }
        let all = totals.values.reduce(0) { $0 + $1.1 }
        let width = max(8, totals.keys.map(\.count).max() ?? 0)
        var lines: [String] = []
        for (key, (n, s)) in totals.sorted(by: { $0.value.1 > $1.value.1 }) {
            let pad = String(repeating: " ", count: width - key.count)
            lines.append(key + pad + String(format: " %4d %9.4f s %6.1f%%", n, s, all > 0 ? 100 * s / all : 0))
        }
        lines.append("total" + String(repeating: " ", count: width - 5) + String(format: "      %9.4f s", all))
        return lines.joined(separator: "\n")
    }
}
