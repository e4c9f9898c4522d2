/// One encoded image on its way through a stream: where it came from (for warnings), its bytes
/// (JPEG or PNG, still encoded: the shuffle buffer holds these, a fraction of decoded pixels)
/// and its class.
public struct StreamItem: Sendable {
    public var place: String
    public var bytes: [UInt8]
    public var label: Int
    /// The index augmentation is drawn for; nil: the image's position in the pass. A folder's
    /// stream uses the image's training index, as its in-memory cache does, so both paths draw
    /// the same flips and crops.
    public var augmentationKey: Int? = nil
    /// How reports name the image: its relative path, or `SHARD#INDEX` for a TFRecord record;
    /// nil: `place`.
    public var name: String? = nil
}

/// Where a stream's items come from, one at a time, in a fixed order. Used by one thread only.
protocol ItemSource: AnyObject {
    func next() throws(DataError) -> StreamItem?
}
