import ConvnetSupport
import ConvnetIR

/// One matrix product of a program and how it maps onto the MXU.
public struct MatmulPlan: Hashable, Sendable {
    /// Which product of a layer this is, read from the matmul's transposes (see `ConvLowering`).
    public enum Role: String, Hashable, Sendable {
        /// `op(A) x B` with nothing transposed: the forward pass.
        case forward
        /// `A^T x dY`: the weight (filter) gradient.
        case filterGrad = "filter_grad"
        /// `dY x W^T`: the input gradient.
        case inputGrad = "input_grad"
    }

    /// The top-level instruction holding the matmul (itself, or the fusion around it).
    public var value: ValueID
    /// The model layer, when the instruction has one.
    public var layer: String?
    /// Forward, filter gradient or input gradient.
    public var role: Role
    /// M, K, N, folds, cycles and utilisation on the MXU.
    public var plan: TilePlan

    /// A plan of one matmul.
    public init(value: ValueID, layer: String?, role: Role, plan: TilePlan) {
        self.value = value
        self.layer = layer
        self.role = role
        self.plan = plan
    }
}

/// MXU tiling: a weight-stationary `TilePlan` for every matmul, inside fusions too, written as
/// attributes `mnk=MxKxN tile=RxC folds=RFxCF cycles=N util=P%` on the matmul and copied onto the
/// fusion that holds it, so the dump shows the plan on the line of the fused op.
public enum TilePlanning {
    /// The array the default pipeline plans for.
    public static let array = MXUShape.tpuV2

    /// The graph with every matmul (and fusion holding one) annotated for the default array.
    public static func run(_ graph: Graph) -> Graph {
        run(graph, array: array)
    }

    /// The graph annotated with plans for `array`.
    public static func run(_ graph: Graph, array: MXUShape) -> Graph {
        var out = graph
        var types: [ValueID: TensorType] = [:]
        for i in out.instructions.indices {
            let inst = out.instructions[i]
            if case .matmul = inst.op {
                let plan = plan(of: inst, operands: inst.operands.map { types[$0]! }, array: array)
                annotate(&out.instructions[i].attributes, plan)
            } else if case .fusion(let kind, let body) = inst.op {
                let tiled = run(body, array: array)
                out.instructions[i].op = .fusion(kind: kind, body: tiled)
                if let first = matmuls(in: tiled).first {
                    annotate(&out.instructions[i].attributes, first.plan)
                }
            }
            for d in inst.definitions { types[d.value] = d.type }
        }
        return out
    }

    /// The pipeline step `tiling`.
    public static let pass = Pass(name: "tiling", run: run)

    /// Every matmul of `graph` (fusion bodies included, attributed to the enclosing top-level
    /// instruction) with its plan, in program order. Plans are recomputed from the types, so they
    /// are right whether or not the tiling pass ran.
    public static func plans(in graph: Graph, array: MXUShape = array) -> [MatmulPlan] {
        matmuls(in: graph, array: array)
    }

    private static func matmuls(in graph: Graph, array: MXUShape = array) -> [MatmulPlan] {
        var types: [ValueID: TensorType] = [:]
        var result: [MatmulPlan] = []
        for inst in graph.instructions {
            if case .matmul(let ta, let tb) = inst.op {
                let role: MatmulPlan.Role = ta ? .filterGrad : (tb ? .inputGrad : .forward)
                result.append(MatmulPlan(value: inst.result, layer: inst.layer, role: role,
                                         plan: plan(of: inst, operands: inst.operands.map { types[$0]! }, array: array)))
            } else if case .fusion(_, let body) = inst.op {
                for inner in matmuls(in: body, array: array) {
                    result.append(MatmulPlan(value: inst.result, layer: inner.layer ?? inst.layer,
                                             role: inner.role, plan: inner.plan))
                }
            }
            for d in inst.definitions { types[d.value] = d.type }
        }
        return result
    }

    /// The plan of one matmul instruction from its operand types.
    static func plan(of inst: Instruction, operands t: [TensorType], array: MXUShape) -> TilePlan {
        guard case .matmul(let ta, _) = inst.op else { preconditionFailure("not a matmul") }
        let k = ta ? t[0].shape[0] : t[0].shape[1]
        return TilePlan.weightStationary(m: inst.type.shape[0], k: k, n: inst.type.shape[1], array: array)
    }

    private static func annotate(_ a: inout Attributes, _ p: TilePlan) {
        a["mnk"] = "\(p.m)x\(p.k)x\(p.n)"
        a["tile"] = p.array.description
        a["folds"] = "\(p.rowFolds)x\(p.colFolds)"
        a["cycles"] = "\(p.cycles)"
        a["util"] = NumberFormat.percent(p.utilization)
    }
}
