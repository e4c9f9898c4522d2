import ConvnetIR

/// Lowering: every convolution and both its gradients become `im2col`/`col2im` plus one `matmul`,
/// so backends need a GEMM and two data-movement kernels, and every product can get a tile plan.
/// With M = B*OH*OW, K = KH*KW*Cin, N = F (the layer's GEMM sizes):
///
///     conv2d(x, w)              -> reshape(matmul(im2col(x) (M,K), reshape(w) (K,N)))        mnk=MxKxN
///     conv2d_filter_grad(x, dy) -> reshape(matmul^T_a(im2col(x) (M,K), reshape(dy) (M,N)))   mnk=KxMxN
///     conv2d_input_grad(dy, w)  -> col2im(matmul^T_b(reshape(dy) (M,N), reshape(w) (K,N)))   mnk=MxNxK
///
/// `mnk=` on a matmul is ITS product: rows x reduction x columns of the result, which is what
/// tiling needs (the filter gradient reduces over the M pixels). Dense matmuls get `mnk` too
/// (forward: M = batch, K = inputs, N = units).
///
/// Convolution fusions stay one top-level instruction with their kernel decision (readable
/// dumps, one dispatch for executors); their body is lowered the same way, so it reads
/// `im2col`, `reshape`, `matmul`, `reshape`, `bias_add`, activation. It runs on the TPU's
/// pipeline, after kernel selection, where every product needs its MXU tile plan.
public enum ConvLowering {
    /// The graph with every convolution op lowered (fusion bodies included).
    public static func run(_ graph: Graph) -> Graph {
        var out = graph
        out.instructions = []
        var types: [ValueID: TensorType] = [:]
        /// One reshape per (value, shape), shared by the two gradients that read the same dy.
        var reshapes: [ReshapeKey: ValueID] = [:]
        func reshape(_ v: ValueID, _ shape: [Int], layer: String?) -> ValueID {
            if types[v]?.shape == shape { return v }
            let key = ReshapeKey(value: v, shape: shape)
            if let r = reshapes[key] { return r }
            let r = out.append(.reshape, [v], .f32(shape), layer: layer)
            types[r] = .f32(shape)
            reshapes[key] = r
            return r
        }
        func add(_ op: Op, _ operands: [ValueID], _ type: TensorType, layer: String?,
                 attributes: Attributes = Attributes(), result: ValueID? = nil) -> ValueID {
            let id = result ?? out.newValue()
            out.instructions.append(Instruction(result: id, op: op, operands: operands, type: type,
                                                layer: layer, attributes: attributes))
            types[id] = type
            return id
        }
        func mnk(_ m: Int, _ k: Int, _ n: Int) -> Attributes { ["mnk": "\(m)x\(k)x\(n)"] }

        for inst in graph.instructions {
            let l = inst.layer
            if case .fusion(let kind, let body) = inst.op {
                var copy = inst
                copy.op = .fusion(kind: kind, body: Renumbering.run(run(body)))
                out.instructions.append(copy)
                for d in inst.definitions { types[d.value] = d.type }
                continue
            }
            guard case .linear(let linear) = inst.op.family else {
                out.instructions.append(inst)
                for d in inst.definitions { types[d.value] = d.type }
                continue
            }
            switch linear {
            case .conv2d(let c):
                let w = types[inst.operands[1]]!.shape
                let (m, k, n) = (inst.type.shape[0] * inst.type.shape[1] * inst.type.shape[2], w[0] * w[1] * w[2], w[3])
                let cols = add(.im2col(c), [inst.operands[0]], .f32([m, k]), layer: l)
                let wm = reshape(inst.operands[1], [k, n], layer: l)
                let y = add(.matmul(transposeA: false, transposeB: false), [cols, wm], .f32([m, n]), layer: l,
                            attributes: mnk(m, k, n))
                _ = add(.reshape, [y], inst.type, layer: l, result: inst.result)
            case .conv2dFilterGrad(let c):
                let dy = types[inst.operands[1]]!.shape
                let (m, k, n) = (dy[0] * dy[1] * dy[2], inst.type.shape[0] * inst.type.shape[1] * inst.type.shape[2], dy[3])
                let cols = add(.im2col(c), [inst.operands[0]], .f32([m, k]), layer: l)
                let dym = reshape(inst.operands[1], [m, n], layer: l)
                let dw = add(.matmul(transposeA: true, transposeB: false), [cols, dym], .f32([k, n]), layer: l,
                             attributes: mnk(k, m, n))
                _ = add(.reshape, [dw], inst.type, layer: l, result: inst.result)
            case .conv2dInputGrad(let c):
                let dy = types[inst.operands[0]]!.shape, w = types[inst.operands[1]]!.shape
                let (m, k, n) = (dy[0] * dy[1] * dy[2], w[0] * w[1] * w[2], w[3])
                let dym = reshape(inst.operands[0], [m, n], layer: l)
                let wm = reshape(inst.operands[1], [k, n], layer: l)
                let dcols = add(.matmul(transposeA: false, transposeB: true), [dym, wm], .f32([m, k]), layer: l,
                                attributes: mnk(m, n, k))
                _ = add(.col2im(c), [dcols], inst.type, layer: l, result: inst.result)
            case .matmul(let ta, _):
                let a = types[inst.operands[0]]!.shape
                let k = ta ? a[0] : a[1]
                var attributes = inst.attributes
                if attributes["mnk"] == nil { attributes["mnk"] = "\(inst.type.shape[0])x\(k)x\(inst.type.shape[1])" }
                _ = add(inst.op, inst.operands, inst.type, layer: l, attributes: attributes, result: inst.result)
            case .im2col, .col2im:
                out.instructions.append(inst)
                for d in inst.definitions { types[d.value] = d.type }
            }
        }
        return out
    }

    /// The pipeline step `lowering`.
    public static let pass = Pass(name: "lowering", run: run)

    private struct ReshapeKey: Hashable {
        var value: ValueID
        var shape: [Int]
    }
}
