import Foundation

/// Reads HDF5 files in a child process, so that a damaged file cannot crash convnetc.
///
/// libhdf5 follows the file's internal addresses with little checking: fuzzing found a damaged
/// `.weights.h5` on which Debian's libhdf5 1.10.8 reads through a null pointer inside
/// `H5Gget_info` (`fuzz/crashes/hdf5/`). That is a signal inside a C library, which no Swift code
/// can catch, so convnetc never opens an HDF5 file in its own process: a child (this executable
/// re-run with the hidden command `HDF5ReaderCommand.name`, or the `convnetc-hdf5-reader` helper
/// beside it) reads the file and sends back the listing and the values asked for
/// (`HDF5Listing`). A child killed by a crash signal means a damaged file, reported by name with
/// a non-zero exit like any other bad input. Starting it costs a few milliseconds per file.
enum HDF5ChildReader {
    /// The helper executable, beside programs that do not serve the hidden command themselves.
    static let helperName = "convnetc-hdf5-reader"

    /// Lists the datasets below `group` of the HDF5 file at `path` and reads the values of each
    /// dataset of `wanted` (path -> shape) whose shape matches and which is floating point.
    static func read(_ path: String, group: String, wanted: [String: [Int]]) throws(WeightsImportError) -> HDF5Listing {
        func fail(_ message: String) -> WeightsImportError { WeightsImportError(file: path, message: message) }
        let executable = try readerExecutable(for: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [HDF5ReaderCommand.name, path, group]
            + wanted.keys.sorted().map { "\($0)=" + wanted[$0]!.map(String.init).joined(separator: ",") }
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash there is news about the file, not a backtrace
        environment["OPENBLAS_NUM_THREADS"] = "1"     // the reader multiplies nothing: no thread pool
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw fail("cannot start the HDF5 reader \(executable): \(error.localizedDescription)")
        }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            if crashSignals.contains(status) { throw fail("damaged HDF5 file (the HDF5 library crashed reading it)") }
            throw fail("the HDF5 reader was stopped by signal \(status) while reading it"
                + (status == SIGKILL ? " (out of memory?)" : ""))
        }
        guard status == 0, let answer = HDF5Listing.decode([UInt8](bytes)) else {
            throw fail("the HDF5 reader \(executable) failed (exit status \(status)) reading it")
        }
        switch answer {
        case .listing(let listing): return listing
        case .failure(let message): throw fail(message)
        }
    }

    /// The signals of a fault inside the reader (a bad address, an abort from a failed assertion).
    static let crashSignals: Set<Int32> = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS]

    /// This executable when it serves the hidden command, else the helper beside it.
    static func readerExecutable(for path: String) throws(WeightsImportError) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        if HDF5ReaderCommand.servedByThisExecutable { return me }
        let helper = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(helperName).path
        guard FileManager.default.isExecutableFile(atPath: helper) else {
            throw WeightsImportError(file: path, message: "cannot read HDF5 files from this program: HDF5 files are read "
                + "in a child process, and neither \(me) serves `\(HDF5ReaderCommand.name)` nor is \(helper) there\n"
                + "help: `swift build` builds \(helperName) beside the other products")
        }
        return helper
    }
}
