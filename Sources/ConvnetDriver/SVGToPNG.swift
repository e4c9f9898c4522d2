import Foundation

/// Turns an SVG into a PNG with whichever converter the machine has on `PATH`: convnetc draws
/// its pictures as SVG text and links no rasterizer. Tried in order, each until one writes a real
/// PNG: `rsvg-convert` (librsvg), `magick` and `convert` (ImageMagick), `inkscape`.
public enum SVGToPNG {
    /// A converter: its program name and its arguments for (svg, png).
    struct Converter: Sendable {
        let program: String
        let arguments: @Sendable (String, String) -> [String]
    }

    static let converters = [
        Converter(program: "rsvg-convert") { svg, png in ["-o", png, svg] },
        Converter(program: "magick") { svg, png in [svg, png] },
        Converter(program: "convert") { svg, png in [svg, png] },
        Converter(program: "inkscape") { svg, png in [svg, "--export-type=png", "--export-filename=\(png)"] },
    ]

    /// Seconds a converter may take before it is stopped.
    static let timeout = 60.0

    public enum Outcome: Equatable, Sendable {
        /// Written by the named program.
        case written(by: String)
        /// No converter on `PATH`.
        case noConverter
        /// Every converter found failed: each with what it said.
        case failed([String])
    }

    /// The converter names, for messages.
    public static var programNames: [String] { converters.map(\.program) }

    /// Converts `svg` to `png` (replacing it), with `path` the search path (`PATH`).
    public static func convert(svg: URL, to png: URL,
                               path: String = ProcessInfo.processInfo.environment["PATH"] ?? "") -> Outcome {
        let folders = path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        var failures: [String] = []
        for c in converters {
            guard let program = folders.lazy.map({ $0 + "/" + c.program })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { continue }
            try? FileManager.default.removeItem(at: png)
            let said = run(program, c.arguments(svg.path, png.path))
            if isPNG(png) { return .written(by: c.program) }
            try? FileManager.default.removeItem(at: png)
            failures.append("\(c.program): " + (said.isEmpty ? "wrote no PNG" : said))
        }
        return failures.isEmpty ? .noConverter : .failed(failures)
    }

    /// Runs `program`, returns the first line of what it wrote on stderr (empty if nothing).
    static func run(_ program: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-svg2png-\(getpid()).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        guard let handle = try? FileHandle(forWritingTo: log) else { return "cannot capture its messages" }
        defer { try? handle.close() }
        process.standardError = handle
        do { try process.run() } catch { return "cannot start: \(error.localizedDescription)" }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                return "stopped after \(Int(timeout)) s"
            }
            usleep(20_000)
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        return first.isEmpty && process.terminationStatus != 0 ? "exit status \(process.terminationStatus)" : first
    }

    /// True when `url` starts with the PNG signature.
    static func isPNG(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? nil
        return head.map { Array($0) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] } ?? false
    }
}
