import ConvnetFlags
import ConvnetIR
import ConvnetKernels
import ConvnetNativeRuntime
import ConvnetSema
import ConvnetTraining
import Foundation

/// `--emit-swift DIR` and `--target native`: emit, build (cached), run.
public enum NativeTarget {
    /// The emitted files for `model` trained with `options` (its batch and optimizer).
    public static func files(model: CheckedModel, options: TrainingOptions = TrainingOptions()) throws -> [String: String] {
        let config = try TrainingConfiguration(model: ModelDescription(model), options: options)
        return try SwiftEmitter.emit(model: model, batch: config.batch, optimizer: config.optimizer)
    }

    /// `native_flowers` for `samples/flowers.convnet`: the executable target's name (before its cache key).
    static func targetName(_ model: CheckedModel) -> String {
        "native_" + identifier(ModelDescription.name(path: model.file.source.path))
    }

    /// `convnetc FILE --emit-swift DIR`: writes a buildable package into `dir`: the generated
    /// files and a manifest depending on this checkout's runtime product (by path). Returns the
    /// files written.
    @discardableResult
    public static func emit(model: CheckedModel, to dir: URL, options: TrainingOptions = TrainingOptions()) throws -> [URL] {
        let sources = try files(model: model, options: options)
        let workspace = NativeWorkspace(url: dir, sourceRoot: NativeWorkspace.defaultSourceRoot)
        let folder = try workspace.write(target: targetName(model), files: sources)
        return sources.keys.sorted().map { folder.appendingPathComponent($0) } + [dir.appendingPathComponent("Package.swift")]
    }

    /// `convnetc FILE --run --target native`: emits into the cache workspace under a key of the
    /// model text, input shape, batch, optimizer, emitter version and library sources; builds
    /// only when that target has no binary yet; runs it with `options` as flags (stdio passed
    /// through). Returns the binary's exit status. A failed build throws the compiler's output
    /// and the generated file's path.
    public static func run(model: CheckedModel, options: TrainingOptions,
                           workspaceURL: URL = NativeWorkspace.defaultURL,
                           runtime: PrebuiltRuntime? = PrebuiltRuntime.located(),
                           log: (String) -> Void = { _ in }) throws -> Int32 {
        let binary = try build(model: model, options: options, workspaceURL: workspaceURL, runtime: runtime, log: log)
        return try execute(binary, ["train"] + TrainingFlags.arguments(for: options))
    }

    /// `convnetc predict --target native`: the binary emitted at the batch `Predictor` uses
    /// (all the images, at most 32), run as `BINARY predict --weights W [--format json] IMAGE...`.
    public static func predict(model: CheckedModel, weights: String, images: [String], json: Bool = false,
                               data: String? = nil, workspaceURL: URL = NativeWorkspace.defaultURL,
                               log: (String) -> Void = { _ in }) throws -> Int32 {
        let batch = max(1, min(32, images.count))
        let binary = try build(model: model, options: TrainingOptions(batch: batch), workspaceURL: workspaceURL, log: log)
        var args = ["predict"] + ReportFlags.arguments(weights: weights, json: json)
        if let data { args += ["--data", data] }
        return try execute(binary, args + images)
    }

    /// `convnetc evaluate --target native`: `BINARY evaluate --weights W [--format json] FLAGS...`.
    public static func evaluate(model: CheckedModel, weights: String, options: TrainingOptions, json: Bool = false,
                                workspaceURL: URL = NativeWorkspace.defaultURL,
                                log: (String) -> Void = { _ in }) throws -> Int32 {
        let binary = try build(model: model, options: options, workspaceURL: workspaceURL, log: log)
        let args = ["evaluate"] + ReportFlags.arguments(weights: weights, json: json)
        return try execute(binary, args + TrainingFlags.arguments(for: options))
    }

    /// Runs `binary` with stdio passed through; its exit status. The binary runs the BLAS kernels
    /// this process loaded (`BLASEnvironment.pinningCoreType`), so it trains to the CPU target's
    /// weights bit for bit even when this process kept OpenBLAS' own choice (a test run).
    static func execute(_ binary: URL, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = BLASEnvironment.pinningCoreType(ProcessInfo.processInfo.environment,
                                                              coreName: BLASInfo.coreName)
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Emits and builds (when needed) the binary for `model`; returns its path. With a prebuilt
    /// runtime the emitted files are compiled alone and linked against it; without one, the
    /// SwiftPM workspace compiles the libraries from source too.
    public static func build(model: CheckedModel, options: TrainingOptions,
                             workspaceURL: URL = NativeWorkspace.defaultURL,
                             runtime: PrebuiltRuntime? = PrebuiltRuntime.located(),
                             log: (String) -> Void = { _ in }) throws -> URL {
        let sources = try files(model: model, options: options)
        let family = targetName(model) + "_"
        if let runtime {
            return try buildLinked(sources: sources, family: family, runtime: runtime, workspaceURL: workspaceURL, log: log)
        }
        return try buildInWorkspace(sources: sources, family: family, workspaceURL: workspaceURL, log: log)
    }

    /// The cache key of emitted `sources` built against `libraries` (a fingerprint of the code
    /// they link): the target name `family` + 12 hex digits.
    static func target(family: String, sources: [String: String], libraries: String) -> String {
        var key = Fingerprint()
        key.add(SwiftEmitter.version)
        key.add(libraries)
        for name in sources.keys.sorted() { key.add(name); key.add(sources[name]!) }
        return family + String(key.hex.prefix(12))
    }

    /// `WORKSPACE/linked/TARGET/`: the emitted files and their binary, compiled with `swiftc`
    /// against the prebuilt runtime. Other builds of the same model (another batch for
    /// `predict`, an earlier edit) are kept: a binary is about 100 KB.
    static func buildLinked(sources: [String: String], family: String, runtime: PrebuiltRuntime,
                            workspaceURL: URL, log: (String) -> Void) throws -> URL {
        let target = target(family: family, sources: sources, libraries: "prebuilt " + (try runtime.fingerprint()))
        let linked = workspaceURL.appendingPathComponent("linked")
        let folder = linked.appendingPathComponent(target)
        let binary = folder.appendingPathComponent(target)
        if cached(binary, log: log) { return binary }
        for (name, text) in sources {
            try NativeWorkspace.writeIfChanged(Data(text.utf8), to: folder.appendingPathComponent(name))
        }
        log("Building \(folder.path) (swiftc -O, linked against \(runtime.directory.path)/\(PrebuiltRuntime.libraryFile))...\n")
        // Built under another name and renamed, so an interrupted build never leaves a binary
        // that the cache check above would take for a finished one.
        let partial = folder.appendingPathComponent(target + ".partial")
        try runtime.compile(folder: folder, moduleName: target, binary: partial)
        guard rename(partial.path, binary.path) == 0 else {
            throw EmitError("could not move the built binary to \(binary.path): \(String(cString: strerror(errno)))")
        }
        return binary
    }

    /// `swift build -c release --product TARGET` in the SwiftPM workspace, which compiles the
    /// runtime product the first time.
    static func buildInWorkspace(sources: [String: String], family: String, workspaceURL: URL,
                                 log: (String) -> Void) throws -> URL {
        let workspace = NativeWorkspace(url: workspaceURL, sourceRoot: NativeWorkspace.defaultSourceRoot)
        let target = target(family: family, sources: sources, libraries: try workspace.librariesFingerprint())
        let binary = workspaceURL.appendingPathComponent(".build/release/\(target)")
        if cached(binary, log: log) { return binary }
        let folder = try workspace.write(target: target, files: sources, replacing: family)
        log("Building \(folder.path) (swift build -c release)...\n")
        let swift = ProcessInfo.processInfo.environment["SWIFT_EXEC_BUILD"] ?? "swift"
        let result = try ToolProcess.run([swift, "build", "-c", "release", "--package-path", workspaceURL.path,
                                          "--product", target])
        guard result.status == 0, FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw EmitError.buildFailed(folder: folder, output: result.output)
        }
        return binary
    }

    /// Whether `binary` exists already (then says so).
    static func cached(_ binary: URL, log: (String) -> Void) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { return false }
        log("Using the cached native binary \(binary.path)\n")
        return true
    }

    /// A Swift/SwiftPM-safe name part (`one-line` -> `one_line`).
    static func identifier(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
