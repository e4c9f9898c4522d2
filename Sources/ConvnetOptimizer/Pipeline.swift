import ConvnetIR

/// The optimizer's pipeline for one target and the contract of its output: what a backend (the
/// CPU executor, the TPU emulator, the Swift emitter) is given after `Pipeline.optimize`.
///
/// The result is verified IR (`Verifier.verifyPlanned` is empty) with the same inputs and the
/// same named outputs as the program the builder made, in an order an executor can run top to
/// bottom. Besides the builder's ops it contains only fusions (`FusionKind`; the body is the
/// meaning, which the interpreter runs; the kind and `Instruction.kernel` say what runs it):
///
/// - `fusion.conv[_bias[_<act>]][_max_pool](x, w[, b])`, `fusion.conv_input_grad[_<act>_grad
///   [_bias_grad]](dy, w[, y])`, `fusion.conv_filter_grad(x, dy)`: every convolution, each with
///   `kernel=` (`ConvAlgorithm`), written by `KernelSelection` for the target. `_max_pool` and
///   `_bias_grad` kinds have a second result (`Instruction.extraResults`) computed by the same
///   kernel. On the TPU the bodies are lowered (`ConvLowering`: im2col, reshape, matmul, ...,
///   col2im) and every matmul carries its MXU tile plan (`mnk= tile= folds= cycles= util=`,
///   copied onto the fusion).
/// - `fusion.matmul_bias[_<act>](x, w, b)`: dense layers (body: `matmul`, `bias_add`, activation).
/// - `fusion.<producer>_<act>_grad[_bias_grad](..., y)`: an activation gradient as the epilogue
///   of the op that made its incoming gradient (`GradientProducer`); the body's last op before
///   the optional `bias_grad` is `<act>_grad(dy, y)` with y the last operand; see `BackwardFusion`.
/// - `fusion.loop(...)`: a tree of elementwise ops (unary, binary with scalar broadcast,
///   activation, activation grad, bias_add, convert) and scalar constants; the result is the
///   body's last instruction, all shapes equal the result's or are scalars / bias vectors.
/// - no `conv2d`, `conv2d_filter_grad` or `conv2d_input_grad` at top level;
///   `softmax_xent`, `softmax_xent_grad`, pools, batch norm, dropout and the rest unchanged.
///
/// `OptimizedProgram.buffers` gives every top-level value (extra results included) an offset in
/// one arena, reshapes sharing their operand's slot (views), and each fusion's body
/// intermediates offsets in one scratch area (see `BufferAssignment`).
public struct Pipeline: Sendable {
    /// For messages (`cpu`).
    public var name: String
    /// Run in order.
    public var passes: [Pass]
    /// Whether buffer assignment places concat operands and concat gradients' slices as channel
    /// views (`TargetCapabilities.concatInPlace`, `ChannelViews`).
    public var concatInPlace: Bool

    /// A pipeline running `passes` in order.
    public init(name: String, passes: [Pass], concatInPlace: Bool = false) {
        self.name = name
        self.passes = passes
        self.concatInPlace = concatInPlace
    }

    /// The pipeline of `target`: simplify, fusion, simplify, kernel selection for the target;
    /// on the MXU also lowering (each convolution's body to im2col + matmul) and tiling. Buffer
    /// assignment runs after it.
    public static func `for`(_ target: TargetCapabilities) -> Pipeline {
        Pipeline(name: target.name, passes: [Simplify.pass, Fusion.pass, Simplify.pass, KernelSelection.pass(target)]
                 + (target.matmulsOnMXU ? [ConvLowering.pass, TilePlanning.pass] : []),
                 concatInPlace: target.concatInPlace)
    }

    /// Runs every pass, the verifier after each one in every build (`Verifier.verify`, and
    /// after kernel selection `Verifier.verifyPlanned`): a violation throws `PipelineError`
    /// naming the pass. `record` receives the graph after each pass.
    public func run(_ graph: Graph, record: ((String, Graph) -> Void)? = nil) throws -> Graph {
        var g = graph
        var planned = false
        for pass in passes {
            g = pass.run(g)
            planned = planned || pass.name == "kernels"
            let errors = planned ? Verifier.verifyPlanned(g) : Verifier.verify(g)
            if !errors.isEmpty { throw PipelineError(pass: pass.name, errors: errors.map(\.message)) }
            record?(pass.name, g)
        }
        return g
    }

    /// Optimizes `program` for `target` and assigns its buffers.
    public static func optimize(_ program: IRProgram, for target: TargetCapabilities,
                                recordEveryPass: Bool = false) throws -> OptimizedProgram {
        try Pipeline.for(target).optimize(program, recordEveryPass: recordEveryPass)
    }

    /// Optimizes `program` with this pipeline and assigns its buffers.
    public func optimize(_ program: IRProgram, recordEveryPass: Bool = false) throws -> OptimizedProgram {
        var log: [(pass: String, graph: Graph)] = []
        let graph = try run(program.graph) { name, g in if recordEveryPass { log.append((name, g)) } }
        var optimized = program
        optimized.graph = graph
        optimized.gradients = [:]  // the passes renumbered the values it names
        let tiled = passes.contains { $0.name == TilePlanning.pass.name }
        var buffers = BufferAssignment.assign(graph, channelViews: concatInPlace ? ChannelViews.plan(graph) : [:])
        buffers.placesChannelViews = concatInPlace
        return OptimizedProgram(program: optimized, buffers: buffers,
                                tilePlans: tiled ? TilePlanning.plans(in: graph) : [], passLog: log)
    }
}

/// A pass produced a graph the verifier rejects (a broken rewrite or a wrong kernel plan):
/// a compile error naming the pass, never a crash at run time.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public var pass: String
    public var errors: [String]

    public init(pass: String, errors: [String]) {
        self.pass = pass
        self.errors = errors
    }

    public var description: String {
        "the IR after the \(pass) pass is invalid:\n" + errors.map { "  " + $0 }.joined(separator: "\n")
    }
}

/// A program after the pipeline, with what backends and reports need.
public struct OptimizedProgram: Sendable {
    /// The same inputs, outputs, parameters and slots as the input program; the optimized graph.
    public var program: IRProgram
    /// Arena offsets of every top-level value, and each fusion's scratch.
    public var buffers: BufferAssignment
    /// Every matmul's MXU plan, in program order (empty on targets without an MXU).
    public var tilePlans: [MatmulPlan]
    /// The graph after each pass, in order, when `recordEveryPass` was set (else empty).
    public var passLog: [(pass: String, graph: Graph)]

    /// Bundles the results of `Pipeline.optimize`.
    public init(program: IRProgram, buffers: BufferAssignment, tilePlans: [MatmulPlan],
                passLog: [(pass: String, graph: Graph)]) {
        self.program = program
        self.buffers = buffers
        self.tilePlans = tilePlans
        self.passLog = passLog
    }

    /// The optimized graph.
    public var graph: Graph { program.graph }
}
