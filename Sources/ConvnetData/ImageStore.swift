import ConvnetSupport
/// Every image of a dataset, decoded once and kept in memory as bytes: one contiguous
/// `(N, H, W, C)` UInt8 block (the flowers set is about 406 MB this way, a quarter of Float).
///
/// `@unchecked Sendable` because loading writes disjoint slots from several threads (each slot
/// by exactly one worker), and after loading the store is only read.
public final class ImageStore: @unchecked Sendable {
    public let shape: ImageShape
    public let count: Int
    private let bytes: UnsafeMutableBufferPointer<UInt8>  // (N, H, W, C)

    /// Its bytes, reserved with `MemoryBudget` before they are allocated.
    private let reservation: MemoryBudget.Reservation

    /// Reserves the store's memory first: a data set that cannot be held decoded is refused
    /// (`DataError.tooLarge`) before any image is read or any byte allocated.
    public init(shape: ImageShape, count: Int) throws(DataError) {
        self.shape = shape
        self.count = count
        let needed = CheckedSize.approximateProduct(count, shape.elementCount)
        do {
            reservation = try MemoryBudget.reserve(needed, for: "decoding \(count) images of \(shape.height)x\(shape.width)x\(shape.channels)",
                                                   advice: { _, _ in "use fewer images or a smaller input" })
        } catch {
            throw .tooLarge(error.description)
        }
        bytes = .allocate(capacity: max(1, count * shape.elementCount))
        bytes.initialize(repeating: 0)
    }

    deinit { bytes.deallocate() }

    /// The `(H, W, C)` bytes of image `index`, for reading.
    public func pixels(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < count, "image index out of range")
        return UnsafeBufferPointer(rebasing: bytes[(index * shape.elementCount)..<((index + 1) * shape.elementCount)])
    }

    /// The `(H, W, C)` bytes of image `index`, for the one worker that fills it during loading.
    func slot(_ index: Int) -> UnsafeMutableBufferPointer<UInt8> {
        precondition(index >= 0 && index < count, "image index out of range")
        return UnsafeMutableBufferPointer(rebasing: bytes[(index * shape.elementCount)..<((index + 1) * shape.elementCount)])
    }
}
