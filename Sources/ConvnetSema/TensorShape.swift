/// The shape of one example's activations, without the batch dimension (Keras' `None`).
/// Rank 3 is `(H, W, C)` in NHWC order; rank 1 is `(N)` after `flatten`, `gap` or `dense`.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }

    public static func spatial(_ h: Int, _ w: Int, _ c: Int) -> TensorShape { TensorShape([h, w, c]) }
    public static func flat(_ n: Int) -> TensorShape { TensorShape([n]) }

    public var rank: Int { dims.count }
    public var height: Int { dims.count == 3 ? dims[0] : 1 }
    public var width: Int { dims.count == 3 ? dims[1] : 1 }
    public var channels: Int { dims.last ?? 0 }

    /// Element count, or nil when it overflows Int.
    public var elementCount: Int? {
        var n = 1
        for d in dims {
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }

    /// `192x192x16` or `40`
    public var description: String { dims.map(String.init).joined(separator: "x") }

    /// Keras' summary form: `(None, 192, 192, 16)`.
    public var kerasDescription: String { "(None, " + dims.map(String.init).joined(separator: ", ") + ")" }
}
