import Foundation

/// `confusion.svg`: the confusion matrix as a coloured grid, true classes down the left,
/// predicted classes along the top, each cell's count written in it. A cell's colour is its share
/// of its row (recall on the diagonal), so a class with few images reads as clearly as a large
/// one: the diagonal in green, mistakes in red, darker for more.
public struct ConfusionMatrixPlot: Sendable {
    public var title: String
    /// The side of one cell in SVG user units.
    public var cell: Double = 56

    public init(title: String = "Confusion matrix") { self.title = title }

    public func svg(_ matrix: ConfusionMatrix) -> String {
        let n = matrix.classNames.count
        let names = matrix.classNames.map(svgText)
        let longest = Double(matrix.classNames.map(\.count).max() ?? 1)
        let left = 40 + min(220, 7.5 * longest), top = 70 + min(220, 7.5 * longest)
        let width = left + Double(n) * cell + 90, height = top + Double(n) * cell + 60
        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(svgNumber(width))" height="\(svgNumber(height))" \
        viewBox="0 0 \(svgNumber(width)) \(svgNumber(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect x="0" y="0" width="\(svgNumber(width))" height="\(svgNumber(height))" fill="white"/>
        <text x="\(svgNumber(width / 2))" y="22" text-anchor="middle" font-size="16">\(svgText(title))</text>
        <text x="\(svgNumber(left + Double(n) * cell / 2))" y="44" text-anchor="middle" font-weight="bold">predicted</text>
        <text x="16" y="\(svgNumber(top + Double(n) * cell / 2))" text-anchor="middle" font-weight="bold" \
        transform="rotate(-90 16 \(svgNumber(top + Double(n) * cell / 2)))">true</text>

        """
        for c in 0..<n {
            let x = left + (Double(c) + 0.5) * cell
            s += "<text class=\"column\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(top - 8))\" text-anchor=\"start\" "
                + "transform=\"rotate(-45 \(svgNumber(x)) \(svgNumber(top - 8)))\">\(names[c])</text>\n"
            s += "<text class=\"row\" x=\"\(svgNumber(left - 8))\" y=\"\(svgNumber(top + (Double(c) + 0.5) * cell + 4))\" "
                + "text-anchor=\"end\">\(names[c])</text>\n"
        }
        for t in 0..<n {
            let rowTotal = matrix.counts[t].reduce(0, +)
            for p in 0..<n {
                let count = matrix.counts[t][p]
                let share = rowTotal > 0 ? Double(count) / Double(rowTotal) : 0
                let fill = color(share: share, diagonal: t == p)
                let x = left + Double(p) * cell, y = top + Double(t) * cell
                s += "<rect class=\"cell\" data-true=\"\(t)\" data-predicted=\"\(p)\" data-count=\"\(count)\" "
                    + "x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(cell))\" height=\"\(svgNumber(cell))\" fill=\"\(fill)\" stroke=\"#fff\"/>\n"
                let ink = share > 0.55 ? "white" : "#222"
                s += "<text x=\"\(svgNumber(x + cell / 2))\" y=\"\(svgNumber(y + cell / 2 + 5))\" text-anchor=\"middle\" "
                    + "font-size=\"14\" fill=\"\(ink)\">\(count)</text>\n"
            }
            let recall = matrix.recall(of: t).map { String(format: "%.0f%%", $0 * 100) } ?? "-"
            s += "<text class=\"recall\" x=\"\(svgNumber(left + Double(n) * cell + 10))\" y=\"\(svgNumber(top + (Double(t) + 0.5) * cell + 4))\">"
                + "\(recall)</text>\n"
        }
        s += "<text x=\"\(svgNumber(left + Double(n) * cell + 10))\" y=\"\(svgNumber(top - 8))\">recall</text>\n"
        let accuracy = matrix.accuracy.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
        s += "<text x=\"\(svgNumber(left))\" y=\"\(svgNumber(top + Double(n) * cell + 30))\">accuracy \(accuracy) "
            + "(\(matrix.correct) of \(matrix.total) correct, \(matrix.total - matrix.correct) misclassified)</text>\n"
        return s + "</svg>\n"
    }

    public func write(_ matrix: ConfusionMatrix, to url: URL) throws {
        try AtomicFile.write(svg(matrix), to: url)
    }

    /// White at 0, full green (diagonal) or red (mistakes) at 1.
    func color(share: Double, diagonal: Bool) -> String {
        let target: (Double, Double, Double) = diagonal ? (27, 120, 55) : (200, 30, 40)
        let s = min(max(share, 0), 1)
        func mix(_ c: Double) -> Int { Int((255 + (c - 255) * s).rounded()) }
        return String(format: "#%02x%02x%02x", mix(target.0), mix(target.1), mix(target.2))
    }

}
