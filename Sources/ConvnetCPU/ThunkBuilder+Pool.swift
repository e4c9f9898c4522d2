import ConvnetIR
import ConvnetKernels

/// Pooling, the spatial mean, and dropout (the kernels' `Dropout`, on the IR's `DropoutMask`, so
/// the mask matches every other backend).
extension ThunkBuilder {
    static func poolGeometry(_ x: [Int], _ p: PoolAttributes) -> PoolGeometry {
        PoolGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], channels: x[3], pool: p.size, stride: p.stride)
    }

    func lowerPool(_ inst: Instruction, _ c: Context) {
        let a = inst.operands
        let out = c.f(inst.result)
        guard case .pool(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a pool") }
        switch op {
        case .maxPool(let p):
            let x = c.f(a[0]), g = Self.poolGeometry(c.shape(a[0]), p)
            if MaxPoolKernels.applies(g) {
                let codes = recordsPoolWinners ? recordWinners(of: x, g) : nil
                add(inst) { MaxPoolKernels.forward(g, input: x, output: out, winners: codes) }
            } else {
                add(inst) { Pooling.maxForward(g, input: x, output: out) }
            }
        case .avgPool(let p):
            let x = c.f(a[0]), g = Self.poolGeometry(c.shape(a[0]), p)
            add(inst) { Pooling.averageForward(g, input: x, output: out) }
        case .maxPoolGrad(let p):
            // (x, dy) -> dx
            let x = c.f(a[0]), dy = c.f(a[1]), g = Self.poolGeometry(c.shape(a[0]), p)
            if MaxPoolKernels.applies(g) {
                let codes = recordedWinners(of: x, g)
                add(inst) { MaxPoolKernels.backward(g, input: x, winners: codes, outputGradient: dy, inputGradient: out) }
            } else {
                add(inst) { Pooling.maxBackward(g, input: x, outputGradient: dy, inputGradient: out) }
            }
        case .avgPoolGrad(let p):
            let dy = c.f(a[0]), g = Self.poolGeometry(inst.type.shape, p)
            add(inst) { Pooling.averageBackward(g, outputGradient: dy, inputGradient: out) }
        case .spatialMean:
            let x = c.f(a[0]), s = c.shape(a[0])
            add(inst) {
                GlobalAveragePool.forward(batch: s[0], height: s[1], width: s[2], channels: s[3], input: x, output: out)
            }
        case .spatialMeanGrad:
            let dy = c.f(a[0]), s = inst.type.shape
            add(inst) {
                GlobalAveragePool.backward(batch: s[0], height: s[1], width: s[2], channels: s[3],
                                           outputGradient: dy, inputGradient: out)
            }
        }
    }

    /// Storage for the winner codes a max-pool forward step over `x` records.
    func recordWinners(of x: UnsafeMutablePointer<Float>, _ g: PoolGeometry) -> UnsafeMutablePointer<UInt8> {
        let codes = arena.allocate(bytes: MaxPoolKernels.winnerBytes(g)).bindMemory(to: UInt8.self, capacity: g.outputCount)
        poolWinners[UnsafeMutableRawPointer(x)] = (g, codes)
        return codes
    }

    /// The codes a forward step recorded for a pool over `x` with geometry `g`, if any ran before.
    func recordedWinners(of x: UnsafeMutableRawPointer, _ g: PoolGeometry) -> UnsafePointer<UInt8>? {
        guard let r = poolWinners[x], r.geometry == g else { return nil }
        return UnsafePointer(r.codes)
    }

    /// y = x * 1/(1-rate) where `DropoutMask` keeps element i (flat index), else 0 (the kernels'
    /// `Dropout`). The seed is read when the step runs; the backward op is the same function of dy.
    func lowerDropout(_ inst: Instruction, _ d: DropoutAttributes, _ c: Context) {
        let x = c.f(inst.operands[0]), seed = c.i32(inst.operands[1]), out = c.f(inst.result)
        let n = inst.type.elementCount
        add(inst) { Dropout.forward(input: x, output: out, count: n, rate: d.rate, seed: seed[0], salt: d.salt) }
    }
}
