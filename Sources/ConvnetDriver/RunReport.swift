import ConvnetTraining
import Foundation

/// `convnetc report RUN_DIR... [-o OUT] [--format json]`: compares finished (or running) runs.
/// Writes one picture of their validation accuracy curves (SVG, and a PNG beside it when a
/// converter is on `PATH`) and prints a table, or exactly one JSON document, on stdout; notes
/// (what a folder lacks, where the picture went) go to stderr.
public enum RunReport {
    /// Where the SVG and the PNG go for `-o OUT`: `OUT` is the SVG (a `.png` name gets its SVG
    /// beside it), the PNG has the same name ending in `.png`.
    public static func outputs(for out: String) -> (svg: URL, png: URL) {
        let url = URL(fileURLWithPath: out)
        let ext = url.pathExtension.lowercased()
        let base = ext == "svg" || ext == "png" ? url.deletingPathExtension() : url
        let svg = ext == "png" ? base.appendingPathExtension("svg") : url
        return (svg, base.appendingPathExtension("png"))
    }

    /// A path under the current folder relative to it (as the user most likely named it).
    static func shown(_ url: URL) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(here) ? String(url.path.dropFirst(here.count)) : url.path
    }

    /// Reads every folder (all errors reported before any output), writes the picture, prints.
    /// Returns the exit status: 0, or 1 when a folder is not a run folder.
    public static func run(folders: [String], out: String, json: Bool, convertToPNG: Bool = true) throws -> Int32 {
        var records: [RunRecord] = []
        var errors: [String] = []
        for folder in folders {
            do { records.append(try RunRecord.read(folder: folder)) } catch { errors.append(error.description) }
        }
        guard errors.isEmpty else {
            Console.writeError(errors.joined(separator: "\n") + "\n")
            return 1
        }
        let comparison = RunComparison(runs: records)
        for note in comparison.notes { Console.writeError(note + "\n") }

        let (svg, png) = outputs(for: out)
        do { try FileManager.default.createDirectory(at: svg.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
            throw RunReportError(description: "error: \(svg.deletingLastPathComponent().path): cannot create the folder "
                + "for the picture (\(error.localizedDescription))")
        }
        let title = "Validation accuracy of \(records.count) \(records.count == 1 ? "run" : "runs")"
        try AtomicFile.write(AccuracyComparisonPlot(title: title).svg(records), to: svg)
        var pngWritten: URL?
        if convertToPNG {
            switch SVGToPNG.convert(svg: svg, to: png) {
            case .written(let program):
                pngWritten = png
                Console.writeError("Wrote \(shown(svg)) and \(shown(png)) (PNG by \(program))\n")
            case .noConverter:
                Console.writeError("Wrote \(shown(svg)); no PNG: no SVG converter on PATH ("
                    + SVGToPNG.programNames.joined(separator: ", ") + "); e.g. apt-get install librsvg2-bin\n")
            case .failed(let reasons):
                Console.writeError("Wrote \(shown(svg)); no PNG: every converter failed (" + reasons.joined(separator: "; ") + ")\n")
            }
        } else {
            Console.writeError("Wrote \(shown(svg))\n")
        }

        if json {
            print(comparison.renderJSON(picture: svg.path, png: pngWritten?.path), terminator: "")
        } else {
            print(comparison.renderText(), terminator: "")
        }
        return 0
    }
}

/// `report` could not write its picture.
struct RunReportError: Error, CustomStringConvertible {
    let description: String
}
