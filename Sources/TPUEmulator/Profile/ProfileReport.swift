import ConvnetOptimizer

/// The modelled cost of one step on an N-core board: every core runs the same program on its
/// shard (the per-core batch), so the step takes one core's cycles, plus, when training, a ring
/// all-reduce of the gradients before the update (`TPUDevice.ringAllReduceCycles`).
public struct ProfileReport: Hashable, Sendable {
    /// Which program was costed.
    public enum Mode: String, Hashable, Sendable {
        case inference, training
    }

    /// What is profiled, for the title (`flowers`).
    public var name: String
    public var mode: Mode
    /// The per-core program's rows, in program order.
    public var rows: [ProfileRow]
    public var device: TPUDevice
    /// Cores sharing the step (`--cores`).
    public var cores: Int
    /// Examples each core computes.
    public var perCoreBatch: Int
    /// Bytes all-reduced per step: the float32 gradients of every trainable weight (0 for
    /// inference).
    public var allReduceBytes: Int
    /// The memory layout the rows were costed with.
    public var layout: TileLayout

    public init(name: String = "", mode: Mode, rows: [ProfileRow], device: TPUDevice, cores: Int,
                perCoreBatch: Int, allReduceBytes: Int, layout: TileLayout = .exact) {
        precondition(cores >= 1 && perCoreBatch >= 0 && allReduceBytes >= 0, "bad profile totals")
        self.name = name
        self.mode = mode
        self.rows = rows
        self.device = device
        self.cores = cores
        self.perCoreBatch = perCoreBatch
        self.allReduceBytes = allReduceBytes
        self.layout = layout
    }

    /// Examples per step over all cores.
    public var globalBatch: Int { perCoreBatch * cores }

    /// One core's cycles for its program: the sum of the rows' estimated cycles (ops run one
    /// after another).
    public var computeCycles: Int { rows.reduce(0) { $0 + $1.estimatedCycles } }

    /// Cycles of the ring all-reduce of the gradients over `cores` cores (0 for inference or
    /// one core).
    public var allReduceCycles: Int { device.ringAllReduceCycles(bytes: allReduceBytes, cores: cores) }

    /// Cycles of one step: one core's program plus the all-reduce (no overlap is modelled).
    public var totalCycles: Int { computeCycles + allReduceCycles }

    /// Seconds of one step at the device's clock.
    public var stepSeconds: Double { device.seconds(cycles: totalCycles) }

    /// Examples per second over the whole board.
    public var examplesPerSecond: Double { stepSeconds > 0 ? Double(globalBatch) / stepSeconds : 0 }

    /// A row's fraction of the step's cycles.
    public func share(of row: ProfileRow) -> Double {
        totalCycles == 0 ? 0 : Double(row.estimatedCycles) / Double(totalCycles)
    }

    /// The all-reduce's fraction of the step's cycles.
    public var allReduceShare: Double { totalCycles == 0 ? 0 : Double(allReduceCycles) / Double(totalCycles) }

    /// Every row summed (op `total`): MXU, VPU and memory cycles, bytes, MACs.
    public var totals: ProfileRow {
        var t = ProfileRow(op: "total", layer: "")
        for r in rows {
            t.mxuCycles += r.mxuCycles
            t.vpuCycles += r.vpuCycles
            t.memoryCycles += r.memoryCycles
            t.bytes += r.bytes
            t.macs += r.macs
        }
        return t
    }

    /// MXU utilisation over the whole step: MACs over the MAC slots of every step cycle.
    public var stepMXUUtilization: Double {
        totalCycles == 0 ? 0 : Double(totals.macs) / (Double(device.mxu.cells) * Double(totalCycles))
    }

    /// Indices of the `count` most expensive rows, costliest first (ties: program order).
    public func topRows(_ count: Int = 3) -> [Int] {
        Array(rows.indices.sorted { (rows[$0].estimatedCycles, -$0) > (rows[$1].estimatedCycles, -$1) }.prefix(count))
    }

    /// Estimated cycles summed per layer, in order of first appearance (`conv2d_1`, `loss`...).
    public var cyclesByLayer: [(layer: String, cycles: Int)] {
        var order: [String] = []
        var sums: [String: Int] = [:]
        for r in rows {
            if sums[r.layer] == nil { order.append(r.layer) }
            sums[r.layer, default: 0] += r.estimatedCycles
        }
        return order.map { ($0, sums[$0]!) }
    }
}
