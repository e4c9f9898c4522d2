import ConvnetSupport

/// `misclassified.txt`: every misclassified validation image, one a line, tab-separated:
/// name (relative path, or `SHARD#INDEX` for a TFRecord record), true class, predicted class and
/// the predicted class's probability, after one `#` header line. Its lines are the confusion
/// matrix's off-diagonal cells, image by image, so `cut -f1` gives the files to look at.
public enum MisclassifiedList {
    public static let header = "# path\ttrue\tpredicted\tprobability"

    public static func render(_ predictions: ValidationPredictions, classNames: [String]) -> String {
        func name(_ c: Int) -> String { TerminalText.escaped(classNames.indices.contains(c) ? classNames[c] : "class\(c)") }
        var lines = [header]
        for o in predictions.misclassified {
            lines.append([TerminalText.escaped(o.name), name(o.truth), name(o.predicted),
                          String(format: "%.4f", Double(o.probability))].joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
