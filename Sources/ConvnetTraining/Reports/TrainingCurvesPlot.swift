import Foundation

/// A self-contained SVG picture of a run: loss and val_loss per epoch in the left panel,
/// accuracy and val_accuracy in the middle one, the learning rate of each epoch in the right one
/// (left out when no epoch recorded one), with axes, ticks and a legend. Pure string
/// building, so it works anywhere and can be viewed in any browser.
public struct TrainingCurvesPlot: Sendable {
    /// Text above the panels (XML-escaped when written).
    public var title: String
    /// Size of one panel in SVG user units; the picture holds two or three side by side.
    public var panelWidth: Double = 460
    public var panelHeight: Double = 340

    public init(title: String = "Training curves") { self.title = title }

    /// One line of the plot: its legend label, colour and dash style.
    struct Series {
        let label: String
        let color: String
        let dashed: Bool
        let points: [(x: Int, y: Double)]
    }

    /// The SVG document for `epochs` (non-finite values are left out of their line).
    public func svg(epochs: [EpochMetrics]) -> String {
        func series(_ label: String, _ color: String, dashed: Bool, _ value: (EpochMetrics) -> Double?) -> Series {
            Series(label: label, color: color, dashed: dashed,
                   points: epochs.compactMap { e in value(e).flatMap { $0.isFinite ? (e.epoch, $0) : nil } })
        }
        let lossSeries = [series("loss", "#1f77b4", dashed: false) { $0.loss },
                          series("val_loss", "#ff7f0e", dashed: true) { $0.valLoss }].filter { !$0.points.isEmpty }
        let accuracySeries = [series("accuracy", "#1f77b4", dashed: false) { $0.accuracy },
                              series("val_accuracy", "#ff7f0e", dashed: true) { $0.valAccuracy }].filter { !$0.points.isEmpty }
        let rateSeries = [series("learning_rate", "#2ca02c", dashed: false) { $0.learningRate }].filter { !$0.points.isEmpty }
        let maxLoss = lossSeries.flatMap { $0.points.map(\.y) }.max() ?? 1
        let maxRate = rateSeries.flatMap { $0.points.map(\.y) }.max() ?? 1
        let lastEpoch = max(1, epochs.map(\.epoch).max() ?? 1)

        let width = panelWidth * (rateSeries.isEmpty ? 2 : 3)
        let height = panelHeight + 40
        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(svgNumber(width))" height="\(svgNumber(height))" \
        viewBox="0 0 \(svgNumber(width)) \(svgNumber(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect x="0" y="0" width="\(svgNumber(width))" height="\(svgNumber(height))" fill="white"/>
        <text x="\(svgNumber(width / 2))" y="22" text-anchor="middle" font-size="16">\(escapeXML(title))</text>

        """
        // Loss falls from the top left and accuracy climbs to the top right, so each legend goes
        // in the corner its curves usually leave empty.
        svg += panel(name: "loss", x: 0, y: 40, series: lossSeries, yMax: niceCeiling(maxLoss),
                     lastEpoch: lastEpoch, legendAtTop: true)
        svg += panel(name: "accuracy", x: panelWidth, y: 40, series: accuracySeries, yMax: 1,
                     lastEpoch: lastEpoch, legendAtTop: false)
        if !rateSeries.isEmpty {
            svg += panel(name: "learning rate", x: panelWidth * 2, y: 40, series: rateSeries, yMax: niceCeiling(maxRate),
                         lastEpoch: lastEpoch, legendAtTop: false)
        }
        svg += "</svg>\n"
        return svg
    }

    /// Writes the SVG atomically.
    public func write(epochs: [EpochMetrics], to url: URL) throws {
        try AtomicFile.write(svg(epochs: epochs), to: url)
    }

    /// One panel: frame, grid and tick labels, the lines with a marker per epoch, the legend.
    private func panel(name: String, x: Double, y: Double, series: [Series], yMax: Double, lastEpoch: Int,
                       legendAtTop: Bool) -> String {
        let left = x + 60, right = x + panelWidth - 20, top = y + 10, bottom = y + panelHeight - 45
        let xMin = lastEpoch == 1 ? 0.5 : 1.0, xMax = lastEpoch == 1 ? 1.5 : Double(lastEpoch)
        func px(_ e: Int) -> Double { left + (Double(e) - xMin) / (xMax - xMin) * (right - left) }
        func py(_ v: Double) -> Double { bottom - min(max(v / yMax, 0), 1) * (bottom - top) }

        var s = "<g class=\"panel\" id=\"\(name.replacingOccurrences(of: " ", with: "-"))-panel\">\n"
        s += "<rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(right - left))\" height=\"\(svgNumber(bottom - top))\" fill=\"none\" stroke=\"#333\"/>\n"
        for i in 0...5 {
            let v = yMax * Double(i) / 5
            s += "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(py(v)))\" x2=\"\(svgNumber(right))\" y2=\"\(svgNumber(py(v)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(py(v) + 4))\" text-anchor=\"end\">\(String(format: "%g", v))</text>\n"
        }
        s += svgEpochAxis(lastEpoch: lastEpoch, left: left, right: right, bottom: bottom, px: px)
        s += "<text x=\"\(svgNumber(x + 16))\" y=\"\(svgNumber((top + bottom) / 2))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 \(svgNumber(x + 16)) \(svgNumber((top + bottom) / 2)))\">\(name)</text>\n"

        for line in series {
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            let points = line.points.map { "\(svgNumber(px($0.x))),\(svgNumber(py($0.y)))" }.joined(separator: " ")
            s += "<polyline class=\"series\" data-series=\"\(line.label)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash) points=\"\(points)\"/>\n"
            for p in line.points {
                s += "<circle class=\"marker\" data-series=\"\(line.label)\" cx=\"\(svgNumber(px(p.x)))\" cy=\"\(svgNumber(py(p.y)))\" r=\"3\" fill=\"\(line.color)\"/>\n"
            }
        }
        if !series.isEmpty {
            let boxTop = legendAtTop ? top + 4 : bottom - 8 - Double(series.count) * 18
            s += "<rect x=\"\(svgNumber(right - 136))\" y=\"\(svgNumber(boxTop))\" width=\"130\" height=\"\(svgNumber(Double(series.count) * 18 + 4))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
        }
        for (i, line) in series.enumerated() {
            let firstBaseline = legendAtTop ? top + 20 : bottom - Double(series.count) * 18 + 6
            let ly = firstBaseline + Double(i) * 18
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            s += "<line x1=\"\(svgNumber(right - 130))\" y1=\"\(svgNumber(ly - 4))\" x2=\"\(svgNumber(right - 100))\" y2=\"\(svgNumber(ly - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>\n"
            s += "<text class=\"legend\" x=\"\(svgNumber(right - 94))\" y=\"\(svgNumber(ly))\">\(line.label)</text>\n"
        }
        return s + "</g>\n"
    }

    /// The smallest of 1, 2, 2.5, 5 x 10^k at or above `v`, so axis ticks are round numbers.
    func niceCeiling(_ v: Double) -> Double {
        guard v.isFinite, v > 0 else { return 1 }
        let magnitude = pow(10, (log10(v)).rounded(.down))
        for m in [1, 2, 2.5, 5, 10] where m * magnitude >= v * (1 - 1e-12) { return m * magnitude }
        return 10 * magnitude
    }

}

/// Escapes the five XML special characters for text and attribute values.
func escapeXML(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(c)
        }
    }
    return out
}
