import ConvnetOptimizer
import ConvnetSema
#if canImport(Glibc)
import Glibc
#endif

/// The emulated TPU: one board of cores, each with an MXU, a vector unit and its own HBM, and the
/// cost functions that turn work into cycles. Every default is a TPU v2 figure; each says where it
/// comes from.
public struct TPUDevice: Hashable, Sendable {
    /// The matrix unit of each core. Default 128 x 128: one MXU per TPU v2 core
    /// (references.md §4; Google, "System Architecture", Cloud TPU docs).
    public var mxu: MXUShape
    /// Core clock in Hz. Default 700 MHz, the TPU v2 clock given in Jouppi et al., "A Domain-Specific
    /// Supercomputer for Training Deep Neural Networks", CACM 63(7), 2020 (Table 3), the paper
    /// Google's Cloud TPU v3 page points to for architectural details.
    public var clockHz: Double
    /// float32 lanes the vector unit processes per cycle. Default 8 x 128 = 1024: the VPU works
    /// on 8x128 vector registers (references.md §4, Cloud TPU performance guide: "vector
    /// registers hold 8x128 tiles"); one register-wide elementwise op per cycle is our assumption.
    public var vpuLanes: Int
    /// HBM bandwidth of one core in bytes/s. Default 300 GB/s: a TPU v2 chip has 600 GB/s of HBM
    /// bandwidth (Cloud TPU v2 specification, "16 GiB, 600 GBps" per chip, in the same table
    /// format as the v3 page's "32 GiB, 900 GBps") shared by its 2 cores; an even split is our
    /// assumption.
    public var hbmBytesPerSecond: Double
    /// Cores on the board. Default 8: a Cloud TPU v2 board is 4 chips x 2 cores (references.md §4).
    public var cores: Int
    /// Bandwidth of the link each core sends on in a ring all-reduce, bytes/s per direction.
    /// Default 62 GB/s: one inter-chip interconnect (ICI) link of 496 Gbit/s per direction, the
    /// TPU v2 figure as we recall it from Jouppi et al. 2020 (not checked against the paper here:
    /// treat it as an assumption). The two cores on one chip are connected on-die and would be
    /// faster; a ring is only as fast as its slowest hop, so the ICI figure is used for every hop.
    public var linkBytesPerSecond: Double

    /// A device; every parameter defaults to the TPU v2 figure documented on its property.
    public init(mxu: MXUShape = .tpuV2, clockHz: Double = 700e6, vpuLanes: Int = 8 * 128,
                hbmBytesPerSecond: Double = 300e9, cores: Int = 8, linkBytesPerSecond: Double = 62e9) {
        precondition(clockHz > 0 && vpuLanes > 0 && hbmBytesPerSecond > 0 && cores > 0 && linkBytesPerSecond > 0,
                     "device figures must be positive")
        self.mxu = mxu
        self.clockHz = clockHz
        self.vpuLanes = vpuLanes
        self.hbmBytesPerSecond = hbmBytesPerSecond
        self.cores = cores
        self.linkBytesPerSecond = linkBytesPerSecond
    }

    /// A Cloud TPU v2-8 board: 8 cores, all defaults.
    public static let tpuV2 = TPUDevice()

    // MARK: Cost functions (all per core, in core clock cycles, rounded up)

    /// The weight-stationary plan of an (M,K) x (K,N) matmul on this device's MXU.
    public func plan(m: Int, k: Int, n: Int) -> TilePlan {
        TilePlan.weightStationary(m: m, k: k, n: n, array: mxu)
    }

    /// Cycles for the VPU to apply `opsPerElement` float32 operations to each of `elements`
    /// values: `ceil(elements * opsPerElement / vpuLanes)`.
    public func vpuCycles(elements: Int, opsPerElement: Int = 1) -> Int {
        precondition(elements >= 0 && opsPerElement >= 0, "negative work")
        return ceilDiv(elements * opsPerElement, vpuLanes)
    }

    /// Cycles to move `bytes` between HBM and the core at full bandwidth:
    /// `ceil(bytes * clock / bandwidth)`.
    public func memoryCycles(bytes: Int) -> Int {
        precondition(bytes >= 0, "negative byte count")
        return Int((Double(bytes) * clockHz / hbmBytesPerSecond).rounded(.up))
    }

    /// Cycles of a bandwidth-optimal ring all-reduce of a `bytes`-sized buffer over `cores`
    /// cores: each core sends `2 * (n - 1) / n * bytes` over its link (reduce-scatter, then
    /// all-gather; Patarasuk & Yuan 2009). Link latency is ignored. Zero for one core.
    public func ringAllReduceCycles(bytes: Int, cores: Int) -> Int {
        precondition(bytes >= 0 && cores > 0, "bad all-reduce size")
        guard cores > 1 else { return 0 }
        let sent = 2 * Double(cores - 1) / Double(cores) * Double(bytes)
        return Int((sent * clockHz / linkBytesPerSecond).rounded(.up))
    }

    /// Wall-clock seconds the device would take for `cycles` core cycles.
    public func seconds(cycles: Int) -> Double { Double(cycles) / clockHz }

    /// Cores of the machine running the emulator (not of the emulated TPU), read once.
    public static let hostCores: Int = {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()
}

/// `ceil(a / b)` for a >= 0, b > 0.
@inline(__always)
private func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

extension TPUDevice {
    /// What the lint rules need of this device (cores, MXU rows and columns).
    public var lintDevice: LintDevice { LintDevice(cores: cores, mxuRows: mxu.rows, mxuCols: mxu.cols) }
}
