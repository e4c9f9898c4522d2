import ConvnetNativeRuntime
import ConvnetOptimizer
import ConvnetSema
import ConvnetTraining
import Foundation

/// `--emit-swift DIR` and `--target native`: emit, build (cached), run.
public enum NativeTarget {
    /// The model file's text and absolute path.
    static func source(of model: CheckedModel) -> (text: String, path: String) {
        let s = model.file.source
        let path = s.path.hasPrefix("/") ? s.path
            : FileManager.default.currentDirectoryPath + "/" + s.path
        return (String(decoding: s.bytes, as: UTF8.self), URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    /// The emitted files for `model` trained with `options` (its batch and optimizer).
    public static func files(model: CheckedModel, options: TrainingOptions = TrainingOptions()) throws -> [String: String] {
        let config = try TrainingConfiguration(model: model, options: options)
        let (text, path) = source(of: model)
        return try SwiftEmitter.emit(model: model, modelText: text, path: path, batch: config.batch,
                                     optimizer: config.optimizer)
    }

    /// `convnetc FILE --emit-swift DIR`: writes a buildable package into `dir` (its manifest
    /// reaches the library code of this checkout by path) and returns the written files.
    @discardableResult
    public static func emit(model: CheckedModel, to dir: URL, options: TrainingOptions = TrainingOptions()) throws -> [URL] {
        let sources = try files(model: model, options: options)
        let name = "native_" + identifier(TrainingConfiguration.modelName(path: model.file.source.path))
        let workspace = NativeWorkspace(url: dir, sourceRoot: NativeWorkspace.defaultSourceRoot)
        let folder = try workspace.write(target: name, files: sources)
        return sources.keys.sorted().map { folder.appendingPathComponent($0) } + [dir.appendingPathComponent("Package.swift")]
    }

    /// `convnetc FILE --run --target native`: emits into the cache workspace under a key of the
    /// model text, input shape, batch, optimizer, emitter version and library sources; builds
    /// only when that target has no binary yet; runs it with `options` as flags (stdio passed
    /// through). Returns the binary's exit status. A failed build throws the compiler's output
    /// and the generated file's path.
    public static func run(model: CheckedModel, options: TrainingOptions,
                           workspaceURL: URL = NativeWorkspace.defaultURL, log: (String) -> Void = { _ in }) throws -> Int32 {
        let binary = try build(model: model, options: options, workspaceURL: workspaceURL, log: log)
        return try execute(binary, TrainingArguments.encode(options))
    }

    /// `convnetc predict --target native`: the binary emitted at the batch `Predictor` uses
    /// (all the images, at most 32), run as `BINARY predict --weights W [--format json] IMAGE...`.
    public static func predict(model: CheckedModel, weights: String, images: [String], json: Bool = false,
                               data: String? = nil, workspaceURL: URL = NativeWorkspace.defaultURL,
                               log: (String) -> Void = { _ in }) throws -> Int32 {
        let batch = max(1, min(32, images.count))
        let binary = try build(model: model, options: TrainingOptions(batch: batch), workspaceURL: workspaceURL, log: log)
        var args = ["predict", "--weights", weights] + (json ? ["--format", "json"] : [])
        if let data { args += ["--data", data] }
        return try execute(binary, args + images)
    }

    /// `convnetc evaluate --target native`: `BINARY evaluate --weights W [--format json] FLAGS...`.
    public static func evaluate(model: CheckedModel, weights: String, options: TrainingOptions, json: Bool = false,
                                workspaceURL: URL = NativeWorkspace.defaultURL,
                                log: (String) -> Void = { _ in }) throws -> Int32 {
        let binary = try build(model: model, options: options, workspaceURL: workspaceURL, log: log)
        let args = ["evaluate", "--weights", weights] + (json ? ["--format", "json"] : [])
        return try execute(binary, args + TrainingArguments.encode(options))
    }

    /// Runs `binary` with stdio passed through; its exit status.
    static func execute(_ binary: URL, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Emits and builds (when needed) the binary for `model`; returns its path.
    public static func build(model: CheckedModel, options: TrainingOptions,
                             workspaceURL: URL = NativeWorkspace.defaultURL, log: (String) -> Void = { _ in }) throws -> URL {
        let workspace = NativeWorkspace(url: workspaceURL, sourceRoot: NativeWorkspace.defaultSourceRoot)
        let sources = try files(model: model, options: options)
        var key = Fingerprint()
        key.add(SwiftEmitter.version)
        key.add(try workspace.librariesFingerprint())
        for name in sources.keys.sorted() { key.add(name); key.add(sources[name]!) }
        let family = "native_" + identifier(TrainingConfiguration.modelName(path: model.file.source.path)) + "_"
        let target = family + String(key.hex.prefix(12))
        let binary = workspaceURL.appendingPathComponent(".build/release/\(target)")
        if FileManager.default.isExecutableFile(atPath: binary.path) {
            log("Using the cached native binary \(binary.path)\n")
            return binary
        }
        let folder = try workspace.write(target: target, files: sources, replacing: family)
        log("Building \(folder.path) (swift build -c release)...\n")
        let swift = ProcessInfo.processInfo.environment["SWIFT_EXEC_BUILD"] ?? "swift"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [swift, "build", "-c", "release", "--package-path", workspaceURL.path, "--product", target]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw EmitError("the native build failed for \(folder.appendingPathComponent("TrainingStep.swift").path)\n" + output)
        }
        return binary
    }

    /// A Swift/SwiftPM-safe name part (`one-line` -> `one_line`).
    static func identifier(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
