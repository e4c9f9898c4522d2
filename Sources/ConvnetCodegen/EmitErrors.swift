import ConvnetNativeRuntime
import Foundation

extension EmitError {
    /// A failed compile of the emitted files in `folder`: the file to look at, then the
    /// compiler's output.
    static func buildFailed(folder: URL, output: String) -> EmitError {
        EmitError("the native build failed for \(folder.appendingPathComponent("TrainingStep.swift").path)\n" + output)
    }
}
