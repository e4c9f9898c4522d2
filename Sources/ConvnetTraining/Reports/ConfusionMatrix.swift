import ConvnetSupport
import Foundation

/// Counts of (true class, predicted class) pairs over an evaluation set: which flowers the model
/// mistakes for which. Row = true class, column = predicted class.
public struct ConfusionMatrix: Equatable, Sendable {
    /// Class names in label order; they title the rows and columns.
    public let classNames: [String]
    /// `counts[t][p]`: examples of true class `t` predicted as `p`.  // (C, C)
    public private(set) var counts: [[Int]]

    /// An empty matrix for `classNames`.
    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    /// A matrix filled from (true label, predicted label) pairs.
    public init(classNames: [String], pairs: [(truth: Int, predicted: Int)]) {
        self.init(classNames: classNames)
        for p in pairs { add(truth: p.truth, predicted: p.predicted) }
    }

    /// Counts one example. Labels must be valid class indices (a caller bug otherwise).
    public mutating func add(truth: Int, predicted: Int) {
        precondition(counts.indices.contains(truth) && counts.indices.contains(predicted),
                     "label out of range: truth \(truth), predicted \(predicted), \(classNames.count) classes")
        counts[truth][predicted] += 1
    }

    /// Adds another matrix over the same classes (e.g. from another batch or core).
    public mutating func merge(_ other: ConfusionMatrix) {
        precondition(other.classNames == classNames, "merging confusion matrices over different classes")
        for t in counts.indices { for p in counts.indices { counts[t][p] += other.counts[t][p] } }
    }

    /// Number of examples counted.
    public var total: Int { counts.joined().reduce(0, +) }
    /// Examples on the diagonal.
    public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }
    /// Fraction correct; nil when empty.
    public var accuracy: Double? { total == 0 ? nil : Double(correct) / Double(total) }

    /// Of the examples of class `c`, the fraction predicted as `c`; nil when there are none.
    public func recall(of c: Int) -> Double? {
        let row = counts[c].reduce(0, +)
        return row == 0 ? nil : Double(counts[c][c]) / Double(row)
    }

    /// Of the examples predicted as `c`, the fraction truly `c`; nil when none were.
    public func precision(of c: Int) -> Double? {
        let column = counts.reduce(0) { $0 + $1[c] }
        return column == 0 ? nil : Double(counts[c][c]) / Double(column)
    }

    /// The matrix as a text table: class names head the rows (true) and columns (predicted),
    /// a recall column on the right, a precision row below, then the overall accuracy.
    public func render() -> String {
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
        let classNames = self.classNames.map(TerminalText.escaped)
        let rowTitle = "true \\ predicted"
        let firstWidth = max(rowTitle.count, "precision".count, classNames.map(\.count).max() ?? 0)
        let columnWidths = classNames.indices.map { c in
            max(classNames[c].count, String(counts.map { $0[c] }.max() ?? 0).count, percent(precision(of: c)).count)
        }
        let recallWidth = max("recall".count, 6)
        func left(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func right(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }

        var lines: [String] = []
        lines.append(([left(rowTitle, firstWidth)] + classNames.indices.map { right(classNames[$0], columnWidths[$0]) }
            + [right("recall", recallWidth)]).joined(separator: "  "))
        for t in classNames.indices {
            lines.append(([left(classNames[t], firstWidth)] + classNames.indices.map { right(String(counts[t][$0]), columnWidths[$0]) }
                + [right(percent(recall(of: t)), recallWidth)]).joined(separator: "  "))
        }
        lines.append(([left("precision", firstWidth)] + classNames.indices.map { right(percent(precision(of: $0)), columnWidths[$0]) })
            .joined(separator: "  "))
        lines.append("accuracy: \(percent(accuracy)) (\(correct)/\(total))")
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n"
    }

    /// `{"class_names": [...], "counts": [[...]], "recall": [...], "precision": [...],
    /// "accuracy": x, "total": n}`; undefined ratios are `null`.
    public var json: JSON {
        func num(_ v: Double?) -> JSON { v.map { .double($0) } ?? .null }
        return .object([
            ("class_names", .array(classNames.map { .string($0) })),
            ("counts", .array(counts.map { .array($0.map { .int($0) }) })),
            ("recall", .array(classNames.indices.map { num(recall(of: $0)) })),
            ("precision", .array(classNames.indices.map { num(precision(of: $0)) })),
            ("accuracy", num(accuracy)),
            ("total", .int(total)),
        ])
    }
}
