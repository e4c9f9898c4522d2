/// The name of one SSA value: the result of exactly one instruction. Ids are unique within a
/// graph but need not be dense or ordered, so passes may insert and delete freely.
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: Int

    public init(_ raw: Int) { self.raw = raw }

    public static func < (a: ValueID, b: ValueID) -> Bool { a.raw < b.raw }

    /// `%12` (the printer uses an input's name instead when it has one).
    public var description: String { "%\(raw)" }
}
