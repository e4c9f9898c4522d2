import Foundation

/// The cache folder of every native binary: one SwiftPM package shared by all models, whose
/// library targets are copied from this compiler's own sources (so the library code builds
/// once and each model only compiles its own files) and whose executable targets are the
/// emitted models, one per cache key.
public struct NativeWorkspace {
    /// The libraries the generated code links, in dependency order, with their dependencies.
    /// Mirrors the convnetc manifest for these targets.
    static let libraries: [(name: String, system: String?, dependencies: [String])] = [
        ("CBLAS", "openblas", []), ("CJPEG", "libturbojpeg", []), ("CPNG", "libpng", []),
        ("ConvnetSupport", nil, []),
        ("ConvnetSyntax", nil, ["ConvnetSupport"]),
        ("ConvnetSema", nil, ["ConvnetSyntax", "ConvnetSupport"]),
        ("ConvnetKernels", nil, ["CBLAS"]),
        ("ConvnetIR", nil, ["ConvnetSema", "ConvnetKernels"]),
        ("ConvnetOptimizer", nil, ["ConvnetIR", "ConvnetSupport"]),
        ("ConvnetData", nil, ["CJPEG", "CPNG"]),
        ("ConvnetCPU", nil, ["ConvnetOptimizer", "ConvnetKernels"]),
        ("ConvnetTraining", nil, ["ConvnetOptimizer", "ConvnetKernels", "ConvnetData", "ConvnetSupport"]),
        ("ConvnetNativeRuntime", nil, ["ConvnetIR", "ConvnetKernels", "ConvnetSema", "ConvnetSyntax", "ConvnetTraining"]),
    ]

    /// Libraries a generated binary uses only before training starts: the front end that checks
    /// the embedded model, the IR builder and its passes, and the runtime's `main` and argument
    /// decoding. Built without optimization, they compile several times faster; none of them
    /// runs inside a training step.
    static let startupOnly: Set<String> = ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetOptimizer", "ConvnetNativeRuntime"]

    /// The workspace package folder.
    public let url: URL
    /// The convnetc checkout whose `Sources/` are copied in.
    public let sourceRoot: URL

    public init(url: URL, sourceRoot: URL) {
        self.url = url
        self.sourceRoot = sourceRoot
    }

    /// `$CONVNETC_NATIVE_CACHE`, else `~/.cache/convnetc/native`.
    public static var defaultURL: URL {
        if let dir = ProcessInfo.processInfo.environment["CONVNETC_NATIVE_CACHE"] { return URL(fileURLWithPath: dir) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/convnetc/native")
    }

    /// `$CONVNETC_SOURCE_ROOT`, else the checkout this file was compiled from.
    public static var defaultSourceRoot: URL {
        if let dir = ProcessInfo.processInfo.environment["CONVNETC_SOURCE_ROOT"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A fingerprint of the library sources (the "compiler version" part of cache keys).
    public func librariesFingerprint() throws -> String {
        var h = Fingerprint()
        for lib in Self.libraries {
            for (rel, data) in try files(in: sourceRoot.appendingPathComponent("Sources/\(lib.name)")).sorted(by: { $0.key < $1.key }) {
                h.add(lib.name + "/" + rel)
                h.add(data)
            }
        }
        return h.hex
    }

    /// Copies the library sources in (only files whose bytes changed, so SwiftPM keeps its
    /// build), writes `files` as the executable target `target`, and rewrites the manifest.
    /// Targets whose names start with `replacing` (older builds of the same model) are removed.
    /// Returns the path of the target's folder.
    @discardableResult
    public func write(target: String, files: [String: String], replacing: String? = nil) throws -> URL {
        let fm = FileManager.default
        for lib in Self.libraries {
            let from = sourceRoot.appendingPathComponent("Sources/\(lib.name)")
            let to = url.appendingPathComponent("Sources/\(lib.name)")
            let wanted = try self.files(in: from)
            for (rel, data) in wanted { try Self.writeIfChanged(data, to: to.appendingPathComponent(rel)) }
            for rel in ((try? self.files(in: to)) ?? [:]).keys where wanted[rel] == nil {
                try fm.removeItem(at: to.appendingPathComponent(rel))
            }
        }
        let dir = url.appendingPathComponent("Sources/\(target)")
        if let family = replacing {
            let sources = url.appendingPathComponent("Sources")
            for old in (try? fm.contentsOfDirectory(atPath: sources.path)) ?? [] where old.hasPrefix(family) && old != target {
                try fm.removeItem(at: sources.appendingPathComponent(old))
            }
        }
        for (name, text) in files { try Self.writeIfChanged(Data(text.utf8), to: dir.appendingPathComponent(name)) }
        let targets = try fm.contentsOfDirectory(atPath: url.appendingPathComponent("Sources").path)
            .filter { $0.hasPrefix("native_") }.sorted()
        try Self.writeIfChanged(Data(manifest(models: targets).utf8), to: url.appendingPathComponent("Package.swift"))
        return dir
    }

    /// The workspace manifest: the libraries and one executable per model target.
    func manifest(models: [String]) -> String {
        var w = CodeWriter()
        w.line("// swift-tools-version:6.0")
        w.line("// Written by convnetc: the native binaries of emitted models. Do not edit.")
        w.line("import PackageDescription")
        w.line()
        w.line("let native: [SwiftSetting] = [.unsafeFlags([\"-target-cpu\", \"native\"])]")
        w.line("// Modules that run once at start-up (checking the model, building and verifying its program),")
        w.line("// not per step: unoptimized, which halves a first build; the per-step code stays optimized.")
        w.line("let startup: [SwiftSetting] = [.unsafeFlags([\"-Onone\"])]")
        w.block("let package = Package(", close: ")") { w in
            w.line("name: \"convnetc-native\",")
            w.line("products: [")
            for m in models { w.line("    .executable(name: \"\(m)\", targets: [\"\(m)\"]),") }
            w.line("],")
            w.line("targets: [")
            for lib in Self.libraries {
                let deps = lib.dependencies.map { "\"\($0)\"" }.joined(separator: ", ")
                if let pc = lib.system {
                    w.line("    .systemLibrary(name: \"\(lib.name)\", path: \"Sources/\(lib.name)\", pkgConfig: \"\(pc)\"),")
                } else {
                    let settings = Self.startupOnly.contains(lib.name) ? "startup" : "native"
                    w.line("    .target(name: \"\(lib.name)\", dependencies: [\(deps)], swiftSettings: \(settings)),")
                }
            }
            for m in models {
                w.line("    .executableTarget(name: \"\(m)\", dependencies: [\"ConvnetNativeRuntime\", \"ConvnetCPU\", \"ConvnetIR\", \"ConvnetKernels\"], swiftSettings: native),")
            }
            w.line("],")
            w.line("swiftLanguageModes: [.v6]")
        }
        return w.text
    }

    /// Regular files under `dir`, by relative path, sorted.
    private func files(in dir: URL) throws -> [String: Data] {
        let fm = FileManager.default
        guard let e = fm.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return [:] }
        var out: [String: Data] = [:]
        let prefix = dir.standardizedFileURL.path + "/"
        for case let file as URL in e {
            guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let path = file.standardizedFileURL.path
            out[path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : file.lastPathComponent] = try Data(contentsOf: file)
        }
        return out
    }

    static func writeIfChanged(_ data: Data, to file: URL) throws {
        if let old = try? Data(contentsOf: file), old == data { return }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file, options: .atomic)
    }
}

/// FNV-1a 64 over strings and bytes, for cache keys.
struct Fingerprint {
    private var h: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) { add(Data(s.utf8)) }
    mutating func add(_ d: Data) {
        for b in d { h = (h ^ UInt64(b)) &* 0x0100_0000_01b3 }
        h = (h ^ 0xff) &* 0x0100_0000_01b3
    }
    var hex: String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
