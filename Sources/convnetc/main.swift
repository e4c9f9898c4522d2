import ArgumentParser
import ConvnetDriver
import ConvnetKernels
import Foundation

// Debian's OpenBLAS falls back to SSE3 kernels on CPUs it does not recognise, and reads
// OPENBLAS_CORETYPE only when it loads: re-exec once with the right core type before any work.
BLASEnvironment.reexecIfSlowCore()

// Exit status: 0 clean or warnings only, 1 errors in the model, 2 usage errors (bad flags).
do {
    var command = try ConvnetC.parseAsRoot(Console.normalizedArguments())
    try command.run()
} catch {
    let code = ConvnetC.exitCode(for: error)
    if code == .success {
        ConvnetC.exit(withError: error)  // --help, --version
    } else if let exit = error as? ExitCode {
        Foundation.exit(exit.rawValue)
    } else if code.rawValue == 64 || error is ValidationError {
        // ArgumentParser's usage errors (EX_USAGE) become our documented 2.
        FileHandle.standardError.write(Data((ConvnetC.fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
    } else {
        FileHandle.standardError.write(Data(("error: \(ConvnetC.fullMessage(for: error))\n").utf8))
        Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }
}
