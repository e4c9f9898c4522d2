import Foundation

/// Paths the end-to-end tests need, found from this file's location so no resources are declared.
enum TestPaths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static func sample(_ name: String) -> String { repoRoot + "/samples/" + name }
    static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden"

    /// The `convnetc` binary `swift test` built next to the test bundle.
    static var convnetc: String {
        // On Linux the test bundle is a file in the products folder; elsewhere a folder in it.
        let bundle = Bundle(for: BundleMarker.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("convnetc").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    private final class BundleMarker {}
}

/// Runs the built `convnetc` and captures its output.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// `shell: true` runs `/bin/sh` with `arguments` instead (to set limits before exec'ing convnetc).
func runConvnetc(_ arguments: [String], environment: [String: String] = [:], shell: Bool = false) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: shell ? "/bin/sh" : TestPaths.convnetc)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.repoRoot)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
}
