import Foundation
import Synchronization

/// The child's side of `HDF5ChildReader`: the hidden command `__read-hdf5 FILE GROUP
/// [PATH=D0,D1,...]...` reads FILE with libhdf5 in this process, lists every dataset below GROUP,
/// reads the values of each PATH that is floating point and has exactly the shape D0,D1,... (so a
/// corrupt shape never sizes an allocation), and writes the answer (`HDF5Listing`) to stdout.
///
/// Every executable of the package that may import weights (convnetc, a native binary, the fuzz
/// binary) calls `serveIfAsked` first thing in `main`, which both serves the command when asked
/// and records that this executable can be re-run as the reader; programs that do not (the test
/// runner) use the `convnetc-hdf5-reader` helper built beside them.
public enum HDF5ReaderCommand {
    /// The hidden command's name (the first argument after the program's name).
    public static let name = "__read-hdf5"

    private static let served = Atomic<Bool>(false)

    /// Whether this executable's `main` called `serveIfAsked`, so it can be its own reader.
    static var servedByThisExecutable: Bool { served.load(ordering: .sequentiallyConsistent) }

    /// Call first thing in `main` with the arguments after the program's name: when they are the
    /// hidden command, reads, answers and exits; otherwise returns at once.
    public static func serveIfAsked(_ arguments: [String]) {
        served.store(true, ordering: .sequentiallyConsistent)
        guard arguments.first == name else { return }
        exit(serve(Array(arguments.dropFirst())))
    }

    /// Runs the command on its arguments (FILE GROUP PATH=SHAPE...); the exit status: 0 when an
    /// answer was written (a listing or the reader's error), 2 for arguments it cannot parse.
    static func serve(_ arguments: [String]) -> Int32 {
        guard arguments.count >= 2, let wanted = wantedShapes(arguments.dropFirst(2)) else {
            FileHandle.standardError.write(Data("usage: \(name) FILE GROUP [PATH=D0,D1,...]...\n".utf8))
            return 2
        }
        let answer: HDF5Listing.Answer
        do {
            answer = .listing(try read(arguments[0], group: arguments[1], wanted: wanted))
        } catch {
            answer = .failure(error.message)
        }
        FileHandle.standardOutput.write(Data(HDF5Listing.encode(answer)))
        return 0
    }

    /// The PATH=D0,D1,... arguments (an empty shape is a scalar), nil when one does not parse.
    static func wantedShapes(_ specs: ArraySlice<String>) -> [String: [Int]]? {
        var wanted: [String: [Int]] = [:]
        for spec in specs {
            guard let equals = spec.lastIndex(of: "=") else { return nil }
            let dims = spec[spec.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
            let shape = dims == [""] ? [] : dims.compactMap { Int($0) }.filter { $0 >= 0 }
            guard shape.count == (dims == [""] ? 0 : dims.count) else { return nil }
            wanted[String(spec[..<equals])] = shape
        }
        return wanted
    }

    /// What the child reads, in-process: only ever run in the reader process, since a damaged
    /// file can crash libhdf5.
    static func read(_ path: String, group: String, wanted: [String: [Int]]) throws(WeightsImportError) -> HDF5Listing {
        try HDF5File.read(path) { file throws(WeightsImportError) in
            let datasets = try file.datasets(under: group)
            var values: [String: [Float]] = [:]
            for d in datasets where d.isFloat && wanted[d.path] == d.shape {
                values[d.path] = try file.floats(d)
            }
            return HDF5Listing(datasets: datasets, values: values)
        }
    }
}
