import ConvnetSupport

/// Shared pieces of the SVG pictures (curves, comparison, confusion, predictions).

/// Text from files (class names, file names) made safe inside an SVG: control characters, which
/// XML 1.0 forbids, become visible `\u{..}` escapes, then the XML specials are escaped.
func svgText(_ s: String) -> String { escapeXML(TerminalText.escaped(s)) }

/// A coordinate or length in the pictures: one decimal, enough at screen scale, short files.
func svgNumber(_ v: Double) -> String { String(format: "%.1f", v) }

/// The epoch axis under a plot: a tick and a label at most about ten times (every epoch, or
/// multiples of a step: 2, 4, ... 20), then the axis title. `px` maps an epoch to x.
func svgEpochAxis(lastEpoch: Int, left: Double, right: Double, bottom: Double, px: (Int) -> Double) -> String {
    var s = ""
    let every = max(1, Int((Double(lastEpoch) / 10).rounded(.up)))
    for e in stride(from: every, through: lastEpoch, by: every) {
        s += "<line x1=\"\(svgNumber(px(e)))\" y1=\"\(svgNumber(bottom))\" x2=\"\(svgNumber(px(e)))\" y2=\"\(svgNumber(bottom + 5))\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(svgNumber(px(e)))\" y=\"\(svgNumber(bottom + 18))\" text-anchor=\"middle\">\(e)</text>\n"
    }
    s += "<text x=\"\(svgNumber((left + right) / 2))\" y=\"\(svgNumber(bottom + 36))\" text-anchor=\"middle\">epoch</text>\n"
    return s
}
