import ConvnetOptimizer

/// Accumulates what each operation cost on the emulated TPU, per (operation, layer), for the
/// profile table: MXU, VPU, HBM and all-reduce cycles, bytes moved and MACs done.
///
/// Rows keep the order in which they were first charged, so the table reads in program order.
public struct CycleCounter: Sendable, Equatable {
    /// One row of the profile: everything charged under one label.
    public struct Entry: Sendable, Hashable {
        /// The operation, e.g. "conv+bias+relu" or "matmul".
        public var op: String
        /// The model layer it belongs to, e.g. "conv2d_1" (empty when none).
        public var layer: String
        /// Cycles on the MXU (SCALE-Sim weight-stationary count of each plan).
        public var mxuCycles = 0
        /// Cycles on the vector unit.
        public var vpuCycles = 0
        /// Cycles moving bytes to or from HBM.
        public var memoryCycles = 0
        /// Cycles spent in all-reduce across cores.
        public var allReduceCycles = 0
        /// Bytes moved to or from HBM.
        public var bytes = 0
        /// Useful multiply-accumulates done on the MXU.
        public var macs = 0
        /// How many times this label was charged.
        public var calls = 0

        /// A row with nothing charged yet.
        public init(op: String, layer: String) {
            self.op = op
            self.layer = layer
        }

        /// The row's time on the core. Our assumption: the MXU and the VPU take turns (one fused
        /// op runs its matmul, then its vector epilogue) while HBM traffic overlaps with them, so
        /// compute and memory take the larger of the two; an all-reduce is added after.
        public var estimatedCycles: Int { max(mxuCycles + vpuCycles, memoryCycles) + allReduceCycles }

        /// Adds another row's counts to this one.
        public mutating func add(_ other: Entry) {
            mxuCycles += other.mxuCycles
            vpuCycles += other.vpuCycles
            memoryCycles += other.memoryCycles
            allReduceCycles += other.allReduceCycles
            bytes += other.bytes
            macs += other.macs
            calls += other.calls
        }
    }

    /// The rows, in the order their labels were first charged.
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    /// An empty counter.
    public init() {}

    /// Adds `entry`'s counts to the row with the same op and layer (creating it if new).
    public mutating func charge(_ entry: Entry) {
        let key = entry.op + "\u{1F}" + entry.layer
        if let i = index[key] {
            entries[i].add(entry)
        } else {
            index[key] = entries.count
            entries.append(entry)
        }
    }

    /// Charges one matmul executed with `plan`.
    public mutating func chargeMXU(op: String, layer: String = "", plan: TilePlan) {
        var e = Entry(op: op, layer: layer)
        e.mxuCycles = plan.cycles
        e.macs = plan.macs
        e.calls = 1
        charge(e)
    }

    /// Charges an elementwise pass of `opsPerElement` operations over `elements` values.
    public mutating func chargeVPU(op: String, layer: String = "", elements: Int, opsPerElement: Int = 1,
                                   device: TPUDevice) {
        var e = Entry(op: op, layer: layer)
        e.vpuCycles = device.vpuCycles(elements: elements, opsPerElement: opsPerElement)
        e.calls = 1
        charge(e)
    }

    /// Charges `bytes` of HBM traffic.
    public mutating func chargeMemory(op: String, layer: String = "", bytes: Int, device: TPUDevice) {
        var e = Entry(op: op, layer: layer)
        e.memoryCycles = device.memoryCycles(bytes: bytes)
        e.bytes = bytes
        e.calls = 1
        charge(e)
    }

    /// Charges a ring all-reduce of `bytes` over all of the device's cores.
    public mutating func chargeAllReduce(op: String = "all-reduce", layer: String = "", bytes: Int,
                                         device: TPUDevice) {
        var e = Entry(op: op, layer: layer)
        e.allReduceCycles = device.ringAllReduceCycles(bytes: bytes, cores: device.cores)
        e.calls = 1
        charge(e)
    }

    /// Adds every row of `other` (e.g. another step's counter) into this one.
    public mutating func merge(_ other: CycleCounter) {
        for e in other.entries { charge(e) }
    }

    /// All rows summed, labelled "total".
    public var total: Entry {
        var t = Entry(op: "total", layer: "")
        for e in entries { t.add(e) }
        return t
    }

    /// The rows charged to `layer`, summed (e.g. everything charged to "conv2d_3").
    public func total(layer: String) -> Entry {
        var t = Entry(op: "total", layer: layer)
        for e in entries where e.layer == layer { t.add(e) }
        return t
    }

    public static func == (a: CycleCounter, b: CycleCounter) -> Bool { a.entries == b.entries }
}
