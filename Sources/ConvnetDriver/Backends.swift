import ConvnetCPU
import ConvnetIR

/// The backends a program can run on (`--target`).
public enum Target: String, CaseIterable, Sendable {
    /// The reference interpreter: plain Float32 loops, the ground truth (slow).
    case reference
    /// The fp32 CPU executor on OpenBLAS.
    case cpu

    /// The compiler for this target.
    public func compiler() -> any ProgramCompiler {
        switch self {
        case .reference: ReferenceCompiler()
        case .cpu: CPUCompiler()
        }
    }
}
