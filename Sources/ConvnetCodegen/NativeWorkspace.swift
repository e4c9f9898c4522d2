import Foundation

/// A SwiftPM package of emitted models: each model one executable target holding only its
/// generated files, all depending on the one runtime library, convnetc's `ConvnetRuntime`
/// product, reached by path in the convnetc checkout (`sourceRoot`). The product's module list
/// lives in convnetc's `Package.swift` and nowhere else.
///
/// Two uses: `--emit-swift DIR` writes one (a package that builds with `swift build`), and the
/// native build cache is one shared by every model without a prebuilt runtime (a debug
/// convnetc, or `CONVNETC_RUNTIME=`), so the runtime builds once and each model compiles only
/// its own files.
public struct NativeWorkspace {
    /// The workspace package folder.
    public let url: URL
    /// The convnetc checkout whose `ConvnetRuntime` product the models link.
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

    /// The runtime product every model target depends on.
    public static let runtimeProduct = "ConvnetRuntime"

    /// A fingerprint of the checkout's manifest and sources (the "runtime version" part of cache
    /// keys): whatever changes there may change the runtime a model links.
    public func librariesFingerprint() throws -> String {
        var h = Fingerprint()
        h.add(try Data(contentsOf: sourceRoot.appendingPathComponent("Package.swift")))
        for (rel, data) in try files(in: sourceRoot.appendingPathComponent("Sources")).sorted(by: { $0.key < $1.key }) {
            h.add(rel)
            h.add(data)
        }
        return h.hex
    }

    /// Writes `files` as the executable target `target` and rewrites the manifest (and copies
    /// the checkout's `Package.resolved`, so the runtime's own dependencies resolve to the
    /// versions convnetc was built with, from SwiftPM's cache). Targets whose names start with
    /// `replacing` (older builds of the same model) are removed. Returns the target's folder.
    @discardableResult
    public func write(target: String, files: [String: String], replacing: String? = nil) throws -> URL {
        let fm = FileManager.default
        let sources = url.appendingPathComponent("Sources")
        let dir = sources.appendingPathComponent(target)
        if let family = replacing {
            for old in (try? fm.contentsOfDirectory(atPath: sources.path)) ?? [] where old.hasPrefix(family) && old != target {
                try fm.removeItem(at: sources.appendingPathComponent(old))
            }
        }
        for (name, text) in files { try Self.writeIfChanged(Data(text.utf8), to: dir.appendingPathComponent(name)) }
        let targets = try fm.contentsOfDirectory(atPath: sources.path).filter { $0.hasPrefix("native_") }.sorted()
        try Self.writeIfChanged(Data(manifest(models: targets).utf8), to: url.appendingPathComponent("Package.swift"))
        if let resolved = try? Data(contentsOf: sourceRoot.appendingPathComponent("Package.resolved")) {
            try Self.writeIfChanged(resolved, to: url.appendingPathComponent("Package.resolved"))
        }
        return dir
    }

    /// The manifest: one executable per model target, each depending on the runtime product.
    func manifest(models: [String]) -> String {
        // SwiftPM names a path dependency after its folder.
        let identity = sourceRoot.standardizedFileURL.lastPathComponent
        var w = CodeWriter()
        w.line("// swift-tools-version:6.0")
        w.line("// Written by convnetc: native binaries of emitted models, each its generated files linking")
        w.line("// convnetc's runtime library (\(Self.runtimeProduct)). Do not edit.")
        w.line("import PackageDescription")
        w.line()
        w.line("let native: [SwiftSetting] = [.unsafeFlags([\"-target-cpu\", \"native\"])]")
        w.block("let package = Package(", close: ")") { w in
            w.line("name: \"convnetc-native\",")
            w.line("products: [")
            for m in models { w.line("    .executable(name: \"\(m)\", targets: [\"\(m)\"]),") }
            w.line("],")
            w.line("dependencies: [.package(path: \(Literal.string(sourceRoot.standardizedFileURL.path)))],")
            w.line("targets: [")
            for m in models {
                w.line("    .executableTarget(name: \"\(m)\", dependencies: [.product(name: \"\(Self.runtimeProduct)\", "
                       + "package: \(Literal.string(identity)))], swiftSettings: native),")
            }
            w.line("],")
            w.line("swiftLanguageModes: [.v6]")
        }
        return w.text
    }

    /// Regular files under `dir`, by relative path.
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
