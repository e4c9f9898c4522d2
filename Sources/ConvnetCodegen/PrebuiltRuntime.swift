import ConvnetNativeRuntime
import Foundation

/// The library a generated binary links, already built: `libConvnetRuntime.so` (the
/// `ConvnetRuntime` product of this package, whose module list is in `Package.swift`: the
/// binary's `main`, the kernels, data, training loop and checkpoints) and its Swift modules,
/// beside a release build of convnetc (`make build` builds both).
///
/// Why: compiling those libraries from source is most of a first native build (about a minute
/// here, half of it the generated micro-kernels). They are the same code convnetc itself runs,
/// already compiled with the same compiler and flags when convnetc was built, so a model's
/// binary only needs its own few emitted files compiled (`swiftc -O`) and linked against them:
/// a C compiler links its runtime library rather than compiling it per program.
///
/// When no such build is found (a debug convnetc, a copied binary, `CONVNETC_RUNTIME` pointing
/// nowhere) the native target builds in its SwiftPM workspace from the library sources instead.
public struct PrebuiltRuntime: Sendable {
    /// The shared library's file name in `directory`.
    public static let libraryFile = "libConvnetRuntime.so"
    /// The modules the emitted files import; the compiler finds the rest of the runtime's
    /// modules beside them.
    static var swiftModules: [String] { SwiftEmitter.imports }

    /// A SwiftPM release products folder: the library, and `Modules/` with the Swift modules.
    public let directory: URL
    /// The convnetc checkout, for the C modules' module maps (`Sources/CBLAS/...`).
    public let sourceRoot: URL

    public init(directory: URL, sourceRoot: URL = NativeWorkspace.defaultSourceRoot) {
        self.directory = directory
        self.sourceRoot = sourceRoot
    }

    /// `$CONVNETC_RUNTIME` (a folder; empty disables the prebuilt runtime), else the folder of the
    /// running executable when this is a release build. A debug convnetc finds debug libraries
    /// beside it, whose kernels run many times slower, so it never uses them.
    public static func located() -> PrebuiltRuntime? {
        if let dir = ProcessInfo.processInfo.environment["CONVNETC_RUNTIME"] {
            let runtime = PrebuiltRuntime(directory: URL(fileURLWithPath: dir))
            return runtime.isComplete ? runtime : nil
        }
        #if DEBUG
        return nil
        #else
        guard let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        let runtime = PrebuiltRuntime(directory: exe.deletingLastPathComponent())
        return runtime.isComplete ? runtime : nil
        #endif
    }

    /// Whether the library, every module and every module map exist, and the library is not
    /// older than the modules, nor than any source file of the runtime's modules in the
    /// checkout. A library older than its modules (convnetc rebuilt with `--product convnetc`
    /// only) or than its sources (a checkout edited or switched since `make build`; a debug
    /// build's tests finding the release runtime) is stale: code emitted by the current sources
    /// could call functions it lacks or use other layouts, so it is not used, and the native
    /// target builds the runtime from source instead.
    public var isComplete: Bool {
        let fm = FileManager.default
        let library = directory.appendingPathComponent(Self.libraryFile).path
        let modules = Self.swiftModules.map { directory.appendingPathComponent("Modules/\($0).swiftmodule").path }
        guard let cModules = try? systemLibraries(),
              ([library] + modules + cModules.map { moduleMap($0.name).path }).allSatisfy(fm.fileExists(atPath:)) else {
            return false
        }
        func modified(_ path: String) -> Date {
            (try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantFuture
        }
        let built = modified(library)
        return modules.allSatisfy { modified($0) <= built } && (newestRuntimeSource().map { $0 <= built } ?? true)
    }

    /// The latest modification time of the files under `Sources/<module>/` of the checkout's
    /// runtime modules (`runtimeModules` in `Package.swift`), or nil when the checkout is not
    /// there (an installed convnetc without its sources: only the module check applies).
    func newestRuntimeSource() -> Date? {
        guard let manifest = try? String(contentsOf: sourceRoot.appendingPathComponent("Package.swift"), encoding: .utf8),
              let list = manifest.components(separatedBy: "let runtimeModules = [").dropFirst().first?.prefix(while: { $0 != "]" })
        else { return nil }
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: ["\""]) }
        let fm = FileManager.default
        var newest: Date?
        for name in names where !name.isEmpty {
            let dir = sourceRoot.appendingPathComponent("Sources/\(name)")
            guard let files = fm.enumerator(at: dir, includingPropertiesForKeys: [.contentModificationDateKey, .isRegularFileKey]) else { continue }
            for case let file as URL in files {
                guard let values = try? file.resourceValues(forKeys: [.contentModificationDateKey, .isRegularFileKey]),
                      values.isRegularFile == true, let date = values.contentModificationDate else { continue }
                newest = max(newest ?? date, date)
            }
        }
        return newest
    }

    func moduleMap(_ module: String) -> URL {
        sourceRoot.appendingPathComponent("Sources/\(module)/module.modulemap")
    }

    /// The package's system libraries (`.systemLibrary(name: "CBLAS", ..., pkgConfig: "openblas")`
    /// in convnetc's `Package.swift`): code importing the runtime's Swift modules needs their
    /// module maps and header paths, which SwiftPM passed when it built the runtime.
    func systemLibraries() throws -> [(name: String, pkgConfig: String?)] {
        let manifest = try String(contentsOf: sourceRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        return manifest.components(separatedBy: ".systemLibrary(").dropFirst().compactMap { entry in
            let call = entry.prefix { $0 != ")" }
            func value(_ label: String) -> String? {
                guard let r = call.range(of: label + ": \"") else { return nil }
                return String(call[r.upperBound...].prefix { $0 != "\"" })
            }
            return value("name").map { ($0, value("pkgConfig")) }
        }
    }

    /// Identifies this build of the runtime (for cache keys): the library's path, size and
    /// modification time, which change whenever it is relinked.
    public func fingerprint() throws -> String {
        let lib = directory.appendingPathComponent(Self.libraryFile)
        let attributes = try FileManager.default.attributesOfItem(atPath: lib.path)
        var h = Fingerprint()
        h.add(lib.path)
        h.add(String(describing: attributes[.size] ?? 0))
        h.add(String(describing: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0))
        return h.hex
    }

    /// `swiftc -O` of the `.swift` files in `folder` into `binary`, linked against the library
    /// (found again at run time through an rpath). Throws the compiler's output on failure.
    public func compile(folder: URL, moduleName: String, binary: URL) throws {
        let sources = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".swift") }.sorted().map { folder.appendingPathComponent($0).path }
        let cModules = try systemLibraries()
        let cflags = try ToolProcess.run(["pkg-config", "--cflags"] + cModules.compactMap(\.pkgConfig))
        guard cflags.status == 0 else { throw EmitError("pkg-config failed:\n" + cflags.output) }
        var args = [ProcessInfo.processInfo.environment["SWIFTC"] ?? "swiftc",
                    "-O", "-target-cpu", "native", "-module-name", moduleName,
                    "-I", directory.appendingPathComponent("Modules").path]
        for m in cModules { args += ["-Xcc", "-fmodule-map-file=" + moduleMap(m.name).path] }
        for flag in cflags.output.split(whereSeparator: \.isWhitespace) { args += ["-Xcc", String(flag)] }
        args += ["-L", directory.path, "-lConvnetRuntime", "-Xlinker", "-rpath", "-Xlinker", directory.path]
        args += sources + ["-o", binary.path]
        let result = try ToolProcess.run(args)
        guard result.status == 0, FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw EmitError.buildFailed(folder: folder, output: result.output)
        }
    }
}

/// Runs a tool found on PATH, collecting its stdout and stderr together.
enum ToolProcess {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
