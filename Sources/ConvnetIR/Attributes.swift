/// An ordered string-to-string map: extensible attributes that ConvnetIR stores and prints but
/// never interprets, so that later modules (tile plans in ConvnetOptimizer, buffer slots) can
/// annotate instructions without ConvnetIR depending on them. Order is kept for printing.
public struct Attributes: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(key: String, value: String)]

    public init() { entries = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        entries = []
        for (k, v) in elements { self[k] = v }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Reads, adds (at the end), replaces (in place) or removes (with nil) one attribute.
    public subscript(key: String) -> String? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// `tile=128x128 slot=3`
    public var printed: String { entries.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }

    public static func == (a: Attributes, b: Attributes) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for e in entries {
            hasher.combine(e.key)
            hasher.combine(e.value)
        }
    }
}
