import ArgumentParser
import ConvnetDriver
import ConvnetFlags

/// `convnetc report RUN_DIR... [-o OUT] [--format json]`: compares training runs.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare training runs: their validation accuracy curves in one picture, and a table.",
        discussion: """
            Each RUN_DIR is a folder `convnetc FILE --run` wrote (runs/<model>, or its --out). The table
            (or --format json) gives per run: model file, parameters, MACs, epochs, time, best and final
            validation accuracy. The picture is an SVG, with a PNG beside it when rsvg-convert, magick,
            convert or inkscape is on PATH.
            """)

    @Argument(help: "Run folders to compare.")
    var runs: [String]

    @Option(name: [.customShort("o"), .customLong("out")], help: "Where to write the picture (SVG; the PNG gets the same name ending in .png).")
    var out = "report.svg"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if runs.isEmpty { throw ValidationError("name at least one run folder, e.g. convnetc report runs/flowers runs/squeezenet") }
        if out.isEmpty { throw ValidationError("--out needs a file name, e.g. -o report.svg") }
    }

    func run() throws {
        let status = try RunReport.run(folders: runs, out: out, json: format == .json)
        if status != 0 { throw ExitCode(status) }
    }
}
