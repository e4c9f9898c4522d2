import ConvnetTraining
import Foundation

// `convnetc-hdf5-reader __read-hdf5 FILE GROUP [PATH=D0,D1,...]...`: the HDF5 reader process
// (`HDF5ChildReader`) for programs that cannot re-run themselves as one, such as the test runner,
// which finds it beside itself among the built products. convnetc, native binaries and the fuzz
// binary serve the command themselves and do not need it.
HDF5ReaderCommand.serveIfAsked(Array(CommandLine.arguments.dropFirst()))
FileHandle.standardError.write(Data("usage: convnetc-hdf5-reader \(HDF5ReaderCommand.name) FILE GROUP [PATH=D0,D1,...]...\n".utf8))
exit(2)
