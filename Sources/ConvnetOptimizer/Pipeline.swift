import ConvnetIR

/// The optimizer's pipeline and the contract of its output: what a backend (the CPU executor,
/// the TPU emulator, the Swift emitter) sees after `Pipeline.optimize`.
///
/// The result is plain, verified IR (`Verifier.verify` is empty) with the same inputs and the
/// same named outputs as the program the builder made, in an order an executor can run top to
/// bottom. Besides the builder's ops it contains only:
///
/// - `fusion.conv_bias_<act>(x, w, b)` (act = relu/sigmoid/tanh; `conv_bias` when linear), with
///   attributes `window=KHxKW stride=S pad=same|valid lowering=im2col mnk=MxKxN tile=RxC
///   folds=AxB cycles=N util=P%`. Its body is `im2col(x)`, `reshape(w)` to (K,N), `matmul`,
///   `reshape` to (B,OH,OW,F), `bias_add`, activation: an executor may run the body op by op or
///   recognise the kind and call one GEMM with a bias+activation epilogue.
/// - `fusion.matmul_bias_<act>(x, w, b)` / `fusion.matmul_bias`: dense layers, the same way
///   (body: `matmul`, `bias_add`, activation), with the matmul's `mnk` and tile attributes.
/// - `fusion.<producer>_<act>_grad(...)`: an activation gradient as the epilogue of the op
///   that made its incoming gradient: `conv_input_grad` (operands dy, w, y; attributes
///   `window stride pad lowering=im2col` and tile; body reshape, reshape, matmul transpose_b,
///   col2im, `<act>_grad`), `matmul` (dense input gradient), `max_pool_grad`, `avg_pool_grad`,
///   `mean_hw_grad`, `dropout_grad`, `batch_norm_grad_input`. The body's last op is always
///   `<act>_grad(dy, y)` with y the last operand; see `BackwardFusion`.
/// - `fusion.loop(...)`: a tree of elementwise ops (unary, binary with scalar broadcast,
///   activation, activation grad, bias_add, convert) and scalar constants; the result is the
///   body's last instruction, all shapes equal the result's or are scalars / bias vectors.
///   Evaluate element by element, or op by op on scratch.
/// - `im2col`, `col2im` and `matmul` (with `mnk` and tile attributes) in place of every
///   `conv2d_filter_grad` and `conv2d_input_grad`; there is no `conv2d`, `conv2d_filter_grad` or
///   `conv2d_input_grad` left at top level or in bodies.
/// - `softmax_xent`, `softmax_xent_grad`, pools, batch norm, dropout and the rest unchanged.
///
/// `OptimizedProgram.buffers` gives every top-level value an offset in one arena, reshapes
/// sharing their operand's slot (views), and each fusion's body intermediates offsets in one
/// scratch area (see `BufferAssignment`).
public struct Pipeline: Sendable {
    /// For messages (`default`).
    public var name: String
    /// Run in order.
    public var passes: [Pass]

    /// A pipeline running `passes` in order.
    public init(name: String, passes: [Pass]) {
        self.name = name
        self.passes = passes
    }

    /// simplify, fusion, simplify, lowering, tiling; buffer assignment runs after it.
    public static let `default` = Pipeline(name: "default", passes: [
        Simplify.pass, Fusion.pass, Simplify.pass, ConvLowering.pass, TilePlanning.pass,
    ])

    /// Runs every pass; in debug builds the verifier runs after each one and a violation traps
    /// with the pass's name. `record` receives the graph after each pass.
    public func run(_ graph: Graph, record: ((String, Graph) -> Void)? = nil) -> Graph {
        var g = graph
        for pass in passes {
            g = pass.run(g)
            assert(Pipeline.verified(g, after: pass.name))
            record?(pass.name, g)
        }
        return g
    }

    /// Optimizes `program` with the default pipeline and assigns its buffers.
    public static func optimize(_ program: IRProgram, recordEveryPass: Bool = false) -> OptimizedProgram {
        Pipeline.default.optimize(program, recordEveryPass: recordEveryPass)
    }

    /// Optimizes `program` with this pipeline and assigns its buffers.
    public func optimize(_ program: IRProgram, recordEveryPass: Bool = false) -> OptimizedProgram {
        var log: [(pass: String, graph: Graph)] = []
        let graph = run(program.graph) { name, g in if recordEveryPass { log.append((name, g)) } }
        var optimized = program
        optimized.graph = graph
        return OptimizedProgram(program: optimized, buffers: BufferAssignment.assign(graph),
                                tilePlans: TilePlanning.plans(in: graph), passLog: log)
    }

    private static func verified(_ g: Graph, after pass: String) -> Bool {
        let errors = Verifier.verify(g)
        if errors.isEmpty { return true }
        print("verifier after \(pass):\n" + errors.map(\.message).joined(separator: "\n"))
        return false
    }
}

/// A program after the pipeline, with what backends and reports need.
public struct OptimizedProgram: Sendable {
    /// The same inputs, outputs, parameters and slots as the input program; the optimized graph.
    public var program: IRProgram
    /// Arena offsets of every top-level value, and each fusion's scratch.
    public var buffers: BufferAssignment
    /// Every matmul's MXU plan, in program order.
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
