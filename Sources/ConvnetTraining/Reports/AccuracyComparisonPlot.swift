import Foundation

/// `convnetc report`'s picture: every run's validation accuracy per epoch in one panel, a line
/// and a colour per run, its best accuracy in the legend, so the design change that helped shows
/// as the line on top. The accuracy axis starts at the tenth below the lowest point (0 at most),
/// so runs that differ by a few points do not share one flat band at the top.
public struct AccuracyComparisonPlot: Sendable {
    public var title: String
    public var width: Double = 860
    public var height: Double = 480

    public init(title: String = "Validation accuracy") { self.title = title }

    /// Ten distinct colours (matplotlib's tab10); after ten runs the lines are dashed too.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public func svg(_ runs: [RunRecord]) -> String {
        let points = runs.flatMap { $0.curve.map(\.accuracy) }
        let lowest = points.min() ?? 0
        let yMin = max(0, ((lowest - 0.02) * 10).rounded(.down) / 10), yMax = 1.0
        let lastEpoch = max(1, runs.flatMap { $0.curve.map(\.epoch) }.max() ?? 1)
        let legendRows = Double(runs.count)
        let left = 60.0, right = width - 20, top = 40.0, bottom = height - 60
        let total = height + legendRows * 18 + 10
        let xMin = lastEpoch == 1 ? 0.5 : 1.0, xMax = lastEpoch == 1 ? 1.5 : Double(lastEpoch)
        func px(_ e: Int) -> Double { left + (Double(e) - xMin) / (xMax - xMin) * (right - left) }
        func py(_ v: Double) -> Double { bottom - min(max((v - yMin) / (yMax - yMin), 0), 1) * (bottom - top) }

        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(svgNumber(width))" height="\(svgNumber(total))" \
        viewBox="0 0 \(svgNumber(width)) \(svgNumber(total))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect x="0" y="0" width="\(svgNumber(width))" height="\(svgNumber(total))" fill="white"/>
        <text x="\(svgNumber(width / 2))" y="24" text-anchor="middle" font-size="16">\(svgText(title))</text>
        <rect x="\(svgNumber(left))" y="\(svgNumber(top))" width="\(svgNumber(right - left))" height="\(svgNumber(bottom - top))" fill="none" stroke="#333"/>

        """
        let steps = max(1, Int(((yMax - yMin) * 10).rounded()))
        for i in 0...steps {
            let v = yMin + (yMax - yMin) * Double(i) / Double(steps)
            s += "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(py(v)))\" x2=\"\(svgNumber(right))\" y2=\"\(svgNumber(py(v)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(py(v) + 4))\" text-anchor=\"end\">\(String(format: "%.1f", v))</text>\n"
        }
        s += svgEpochAxis(lastEpoch: lastEpoch, left: left, right: right, bottom: bottom, px: px)
        s += "<text x=\"16\" y=\"\(svgNumber((top + bottom) / 2))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(svgNumber((top + bottom) / 2)))\">val_accuracy</text>\n"

        for (i, run) in runs.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let dash = i >= Self.palette.count ? " stroke-dasharray=\"6 4\"" : ""
            if !run.curve.isEmpty {
                let line = run.curve.map { "\(svgNumber(px($0.epoch))),\(svgNumber(py($0.accuracy)))" }.joined(separator: " ")
                s += "<polyline class=\"series\" data-run=\"\(svgText(run.folder))\" fill=\"none\" stroke=\"\(color)\" "
                    + "stroke-width=\"2\"\(dash) points=\"\(line)\"/>\n"
                for p in run.curve {
                    s += "<circle cx=\"\(svgNumber(px(p.epoch)))\" cy=\"\(svgNumber(py(p.accuracy)))\" r=\"3\" fill=\"\(color)\"/>\n"
                }
            }
            let ly = height + Double(i) * 18
            let best = run.bestValAccuracy.map { String(format: "best %.4f", $0) + (run.bestEpoch.map { " (epoch \($0))" } ?? "") }
                ?? "no validation accuracy"
            let final = run.finalValAccuracy.map { String(format: ", final %.4f", $0) } ?? ""
            let model = run.model.map { " - " + $0 } ?? ""
            s += "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(ly - 4))\" x2=\"\(svgNumber(left + 30))\" y2=\"\(svgNumber(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            s += "<text class=\"legend\" x=\"\(svgNumber(left + 38))\" y=\"\(svgNumber(ly))\">\(svgText(run.folder + model + ": " + best + final))</text>\n"
        }
        return s + "</svg>\n"
    }

}
