import ConvnetDriver
import ConvnetFlags
import ConvnetKernels
import ConvnetTraining
import Foundation

// `convnetc __read-hdf5 ...` is the process that reads an HDF5 file for its parent
// (`HDF5ChildReader`): served before anything else starts.
HDF5ReaderCommand.serveIfAsked(Array(CommandLine.arguments.dropFirst()))

// Debian's OpenBLAS falls back to SSE3 kernels on CPUs it does not recognise, and reads
// OPENBLAS_CORETYPE only when it loads: re-exec once with the right core type before any work.
BLASEnvironment.reexecIfSlowCore()

// Exit status: 0 clean or warnings only, 1 errors in the model, 2 usage errors (bad flags).
exit(CommandExit.run(ConvnetC.self, arguments: Console.normalizedArguments()))
