import ConvnetFuzzTargets
import ConvnetTraining
import Foundation

// `convnetc-fuzz TARGET [ARGS...]`: runs one of `FuzzTarget`'s targets.
//
// Built by `make fuzz` (`swift build --sanitize=fuzzer -Xswiftc -DCONVNETC_LIBFUZZER`), it is a
// libFuzzer binary: libFuzzer's `main` calls `LLVMFuzzerInitialize`, which takes TARGET off the
// command line, and then `LLVMFuzzerTestOneInput` per input; ARGS are libFuzzer's (corpus
// folders, -runs=N, -max_total_time=S, ...).
//
// Built normally (as `swift build` does), it replays files instead: `convnetc-fuzz TARGET
// FILE|DIR...` runs the target on each file, which is how a crash found by `make fuzz` is
// reproduced in a debugger.

/// The target chosen on the command line (set once, before the first input).
nonisolated(unsafe) var selected = FuzzTarget.frontend

func usage() -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    FileHandle.standardError.write(Data("usage: convnetc-fuzz \(names) [libFuzzer arguments | files to replay]\n".utf8))
    exit(2)
}

#if CONVNETC_LIBFUZZER
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    // The hdf5 target reads each input in a child process, this binary re-run (`HDF5ChildReader`).
    if let list = argv.pointee {
        HDF5ReaderCommand.serveIfAsked((1..<Int(argc.pointee)).compactMap { list[$0].map { String(cString: $0) } })
    }
    guard argc.pointee >= 2, let list = argv.pointee, let first = list[1],
          let target = FuzzTarget(rawValue: String(cString: first)) else { usage() }
    selected = target
    for i in 1..<Int(argc.pointee) { list[i] = list[i + 1] }  // libFuzzer sees the rest
    argc.pointee -= 1
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
@main
enum Replay {
    static func main() {
        let arguments = CommandLine.arguments
        HDF5ReaderCommand.serveIfAsked(Array(arguments.dropFirst()))
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else { usage() }
        selected = target
        var files: [String] = []
        for path in arguments.dropFirst(2) {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                    .filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let start = Date()
            data.withUnsafeBytes { selected.run($0) }
            print(String(format: "%@: ok (%.3f s)", file, Date().timeIntervalSince(start)))
        }
        print("\(files.count) inputs replayed on \(target.rawValue) without a crash")
    }
}
#endif
