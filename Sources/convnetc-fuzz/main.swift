import ConvnetFuzzTargets
import Foundation

// `convnetc-fuzz TARGET [ARGS...]`: one of `FuzzTarget`'s targets.
//
// Built by `make fuzz` (`swift build --sanitize=fuzzer -Xswiftc -DCONVNETC_LIBFUZZER`), it is a
// libFuzzer binary: ARGS are libFuzzer's (corpus folders, -runs=N, -max_total_time=S...). This
// file defines `main`, so the linker never pulls libFuzzer's own `main` out of its archive; it
// hands control to libFuzzer through `LLVMFuzzerRunDriver` instead, after choosing the target.
//
// Built normally (as `swift build` does), it replays files: `convnetc-fuzz TARGET FILE|DIR...`
// runs the target on each file, which is how a crash found by `make fuzz` is reproduced in a
// debugger.

nonisolated(unsafe) var selected = FuzzTarget.frontend

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    FileHandle.standardError.write(Data("usage: convnetc-fuzz \(names) [libFuzzer arguments | files to replay]\n".utf8))
    exit(2)
}
selected = target

#if CONVNETC_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

// libFuzzer sees the program name and the arguments after the target.
var fuzzerArguments: [UnsafeMutablePointer<CChar>?] = ([arguments[0]] + arguments.dropFirst(2)).map { strdup($0) } + [nil]
var argc = Int32(fuzzerArguments.count - 1)
let status = fuzzerArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
#else
var files: [String] = []
for path in arguments.dropFirst(2) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
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
#endif
