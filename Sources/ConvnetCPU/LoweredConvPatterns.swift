import ConvnetIR
import ConvnetKernels

/// Finds convolutions that the optimizer lowered to `im2col` + `matmul` (+ `col2im`), so they run
/// as banded convolutions (`ParallelConv`) instead of materialising the whole batch's column
/// matrix (680 MB for flowers' second conv at batch 32). The optimizer's lowering emits:
///
///     forward:      cols = im2col(x); wm = reshape(w); y = matmul(cols, wm) [; reshape; bias_add; act]
///     filter grad:  cols = im2col(x); dym = reshape(dy); dw = matmul^T_a(cols, dym)
///     input grad:   dym = reshape(dy); wm = reshape(w); dcols = matmul^T_b(dym, wm); dx = col2im(dcols)
///
/// A match needs the column matrix to have that single user and only reshapes (views, which
/// take no memory of their own) between the two instructions, so running both at the second
/// one changes no value's lifetime. Matches are applied in every graph and fusion body: they
/// are not an optimisation that could be turned off, but how this backend runs the lowering.
struct LoweredConvPatterns {
    enum Match {
        /// `matmul(im2col(x), wm)` with an optional epilogue; writes `output`.
        case forward(x: ValueID, weights: ValueID, attrs: ConvAttributes, filters: Int,
                     bias: ValueID?, activation: ActivationFunction?, output: ValueID, names: [String])
        /// `matmul^T_a(im2col(x), dym)`; writes the matmul's result (after every read: its bytes
        /// may be x's, which the plan saw die at the im2col).
        case filterGradient(x: ValueID, dy: ValueID, attrs: ConvAttributes, filters: Int, output: ValueID)
        /// `col2im(matmul^T_b(dym, wm))`; writes the col2im's result.
        case inputGradient(dy: ValueID, weights: ValueID, attrs: ConvAttributes,
                           inputShape: [Int], output: ValueID)
    }

    /// Instructions that emit nothing (absorbed by a match).
    var skip = Set<Int>()
    /// Where each match runs.
    var matches: [Int: Match] = [:]

    init(_ insts: [Instruction], uses: [ValueID: Int], outputs: Set<ValueID>) {
        var index: [ValueID: Int] = [:]
        var users: [ValueID: [Int]] = [:]
        for (i, inst) in insts.enumerated() {
            index[inst.result] = i
            for o in inst.operands { users[o, default: []].append(i) }
        }
        /// The single user of `v` (also counting graph outputs), if only reshapes lie between.
        func soleUser(of v: ValueID, after i: Int) -> Int? {
            guard uses[v] == 1, !outputs.contains(v), let u = users[v], u.count == 1, u[0] > i else { return nil }
            for k in (i + 1)..<u[0] {
                guard case .reshape = insts[k].op else { return nil }
            }
            return u[0]
        }
        /// The instruction right after `i` if it is the sole user of `v` through operand 0.
        func next(_ i: Int, using v: ValueID) -> Instruction? {
            guard i + 1 < insts.count, uses[v] == 1, !outputs.contains(v),
                  insts[i + 1].operands.first == v else { return nil }
            return insts[i + 1]
        }

        for (i, inst) in insts.enumerated() {
            switch inst.op {
            case .im2col(let attrs):
                let cols = inst.result
                guard let j = soleUser(of: cols, after: i), case .matmul(let ta, let tb) = insts[j].op,
                      !tb, insts[j].operands[0] == cols, insts[j].operands[1] != cols else { continue }
                let mm = insts[j]
                let filters = mm.type.shape[1]
                if ta {
                    matches[j] = .filterGradient(x: inst.operands[0], dy: mm.operands[1], attrs: attrs,
                                                 filters: filters, output: mm.result)
                } else {
                    // Epilogue: [reshape to (B,OH,OW,F)] then bias_add then an activation, adjacent.
                    var last = mm.result, at = j
                    var names = ["conv2d"]
                    var bias: ValueID?, activation: ActivationFunction?
                    var consumed: [Int] = []
                    /// A bias defined before the matmul, so it is ready when the fused step runs.
                    func early(_ b: Instruction) -> Bool { (index[b.operands[1]] ?? .max) < j }
                    if let r = next(at, using: last), case .reshape = r.op,
                       let b = next(at + 1, using: r.result), case .biasAdd = b.op, early(b) {
                        consumed = [at + 1, at + 2]
                        last = b.result; at += 2; bias = b.operands[1]; names.append("bias_add")
                    } else if let b = next(at, using: last), case .biasAdd = b.op, early(b) {
                        consumed = [at + 1]
                        last = b.result; at += 1; bias = b.operands[1]; names.append("bias_add")
                    }
                    if bias != nil, let a = next(at, using: last), case .activation(let f) = a.op {
                        consumed.append(at + 1)
                        last = a.result; activation = f; names.append(f.rawValue)
                    }
                    skip.formUnion(consumed)
                    matches[j] = .forward(x: inst.operands[0], weights: mm.operands[1], attrs: attrs, filters: filters,
                                          bias: bias, activation: activation, output: last, names: names)
                }
                skip.insert(i)
            case .matmul(false, true):
                guard let k = soleUser(of: inst.result, after: i), case .col2im(let attrs) = insts[k].op,
                      insts[k].operands[0] == inst.result else { continue }
                matches[k] = .inputGradient(dy: inst.operands[0], weights: inst.operands[1], attrs: attrs,
                                            inputShape: insts[k].type.shape, output: insts[k].result)
                skip.insert(i)
            default:
                continue
            }
        }
    }
}

extension ThunkBuilder {
    /// Runs one lowered-convolution match as a banded convolution.
    func lower(_ match: LoweredConvPatterns.Match, at inst: Instruction, _ c: Context) {
        switch match {
        case .forward(let x, let w, let attrs, let filters, let bias, let activation, let output, let names):
            let g = Self.geometry(input: c.shape(x), filters: filters, attrs)
            let conv = parallelConv(g, filterGradient: false)
            let xp = c.f(x), wp = c.f(w)
            let bp = bias.map { UnsafePointer(c.f($0)) }
            let epilogue = activation.map(Self.epilogue) ?? .linear
            let reads = [(xp, c.count(x)), (wp, c.count(w))] + (bias.map { [(c.f($0), c.count($0))] } ?? [])
            let (out, finish) = target(c.f(output), g.outputCount, reads: reads)
            let pool = takePool(writing: c.f(output))
            add(inst, op: names.joined(separator: "+")) {
                conv.forward(input: xp, weights: wp, bias: bp, activation: epilogue, output: out, thenMaxPool: pool)
                finish()
            }
        case .filterGradient(let x, let dy, let attrs, let filters, let output):
            let g = Self.geometry(input: c.shape(x), filters: filters, attrs)
            let conv = parallelConv(g, filterGradient: true)
            let xp = c.f(x), dyp = c.f(dy), out = c.f(output)
            add(inst, op: "conv2d_filter_grad") { conv.backwardFilter(input: xp, outputGradient: dyp, weightGradient: out) }
        case .inputGradient(let dy, let w, let attrs, let inputShape, let output):
            let filters = c.shape(dy).last ?? 1
            let g = Self.geometry(input: inputShape, filters: filters, attrs)
            let conv = parallelConv(g, filterGradient: false)
            let dyp = c.f(dy), wp = c.f(w)
            let (out, finish) = target(c.f(output), g.inputCount, reads: [(dyp, c.count(dy)), (wp, c.count(w))])
            if let relu = pendingReluBackward, relu.gradient == output, conv.fusesReluBackward, out == c.f(output), relu.channels == g.inChannels,
               !Self.overlaps(out, g.inputCount, [(relu.y, g.inputCount)]) {
                // The fusion's relu backward and bias gradient, inside the direct kernels.
                let sums = arena.doubles(relu.channels)
                add(inst, op: "conv2d_input_grad") {
                    conv.backwardInput(outputGradient: dyp, weights: wp, inputGradient: out, reluOutput: relu.y, biasSums: sums)
                    for k in 0..<relu.channels { relu.db[k] = Float(sums[k]) }
                }
                reluBackwardFused = true
                return
            }
            add(inst, op: "conv2d_input_grad") {
                conv.backwardInput(outputGradient: dyp, weights: wp, inputGradient: out)
                finish()
            }
        }
    }
}
