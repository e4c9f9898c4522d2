import ArgumentParser

/// `--format text|json`, for every command that prints a report.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// `--weights W [--format text|json]`: the checkpoint `predict` and `evaluate` read, and how they print.
public struct ReportFlags: ParsableArguments {
    @Option(help: "A checkpoint or model.safetensors written by --run, Keras-named safetensors, or a Keras 3 .weights.h5.")
    public var weights: String

    @Option(help: "Output format: text or json.")
    public var format: OutputFormat = .text

    public init() {}

    /// The flags for `weights` and `json`.
    public static func arguments(weights: String, json: Bool) -> [String] {
        ["--weights", weights] + (json ? ["--format", "json"] : [])
    }
}
