import ArgumentParser
import ConvnetOptimizer
import TPUEmulator

/// `--cores N --mxu RxC --clock MHZ`: the emulated TPU of `--target tpu` and `profile`, one
/// `TPUDevice` whose defaults (`TPUDevice.tpuV2`: 8 cores, a 128x128 MXU, 700 MHz) are written
/// there once.
struct DeviceFlags: ParsableArguments {
    @Option(help: "TPU cores for --target tpu; the batch must divide evenly.")
    var cores: Int = TPUDevice.tpuV2.cores

    @Option(help: ArgumentHelp("The MXU's rows x columns.", valueName: "RxC"))
    var mxu: String = "\(TPUDevice.tpuV2.mxu.rows)x\(TPUDevice.tpuV2.mxu.cols)"

    @Option(help: ArgumentHelp("The core clock in MHz.", valueName: "MHZ"))
    var clock: Double = TPUDevice.tpuV2.clockHz / 1e6

    func validate() throws {
        if cores < 1 { throw ValidationError("--cores must be at least 1") }
        if Self.mxuShape(mxu) == nil { throw ValidationError("--mxu expects RxC with positive sizes, e.g. --mxu 128x128; got '\(mxu)'") }
        if !(clock > 0 && clock.isFinite) { throw ValidationError("--clock must be a positive number of MHz") }
    }

    static func mxuShape(_ text: String) -> MXUShape? {
        let parts = text.split(separator: "x")
        guard parts.count == 2, let r = Int(parts[0]), let c = Int(parts[1]), r > 0, c > 0 else { return nil }
        return MXUShape(rows: r, cols: c)
    }

    /// The TPU v2 board with the flags applied.
    var device: TPUDevice {
        var d = TPUDevice.tpuV2
        d.cores = cores
        d.mxu = Self.mxuShape(mxu) ?? d.mxu
        d.clockHz = clock * 1e6
        return d
    }
}
