import ArgumentParser
import ConvnetFlags
import ConvnetKernels
import ConvnetTraining

/// `main` of a generated binary: parses its command line with the same ArgumentParser types as
/// convnetc (`NativeCommand`) and runs the library's own trainer, predictor or evaluator on the
/// emitted programs, so flags, output, metrics and checkpoints are the other targets'.
public enum NativeMain {
    /// The binary's model and programs, set once by `run` before any command runs.
    nonisolated(unsafe) static var compiler: NativeModelCompiler!

    /// Runs the command `arguments` name and returns the exit status: 0 done, 1 failed, 2 a
    /// usage error. With no arguments it prints the usage (a binary never trains by accident).
    public static func run(_ compiler: NativeModelCompiler, arguments: [String]) -> Int32 {
        HDF5ReaderCommand.serveIfAsked(arguments)  // the binary reads `.weights.h5` files in a child: itself
        BLASEnvironment.reexecIfSlowCore()
        Self.compiler = compiler
        guard !arguments.isEmpty else {
            print(NativeCommand.helpMessage(columns: 100))
            return CommandExit.usage
        }
        return CommandExit.run(NativeCommand.self, arguments: arguments)
    }
}
