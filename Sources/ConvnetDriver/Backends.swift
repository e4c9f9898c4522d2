import ConvnetCPU
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema
import TPUEmulator

/// The backends a program can run on (`--target`).
public enum Target: String, CaseIterable, Sendable {
    /// The reference interpreter: plain Float32 loops, the ground truth (slow).
    case reference
    /// The fp32 CPU executor on OpenBLAS.
    case cpu
    /// The TPU emulator: bf16 MXU passes, fp32 vector work, `cores` data-parallel cores.
    case tpu
    /// Generated Swift, built into a native binary (cached) and run as its own process.
    case native

    /// The compiler for this target. `device` (its cores, MXU and clock) matters to the TPU only.
    public func compiler(model: CheckedModel, device: TPUDevice = .tpuV2) -> any ProgramCompiler {
        switch self {
        case .reference: ReferenceCompiler()
        case .cpu: CPUCompiler()
        // The driver cuts the TPU target's data-parallel programs out of the training step's IR
        // (asking the builder for the step at the per-core batch); the backend compiles them.
        case .tpu: TPUCompiler(cores: device.cores, device: device) { step in
            try DataParallelProgramSet(trainingStep: step, cores: device.cores) { batch in
                try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
            }
        }
        // The native target runs in its own process (`NativeTarget`); inside this process its
        // programs are the CPU executor's, which the generated code mirrors call for call.
        case .native: CPUCompiler()
        }
    }
}

extension Target {
    /// What the target's kernels can do, for its optimizer pipeline (`Pipeline.for`); nil for
    /// the reference interpreter, which runs programs as built.
    public var capabilities: TargetCapabilities? {
        switch self {
        case .reference: nil
        case .cpu: .cpu
        case .tpu: .tpu
        case .native: .native
        }
    }
}
