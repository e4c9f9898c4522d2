/// The usable records of one shard, in file order: CRCs checked (`TFRecordFileReader`), the
/// schema's fields read (`ExampleSchema`), and the image's first bytes checked to be a JPEG or a
/// PNG. The one place that decides which records a shard contributes, used both to count them
/// (`ShardIndex`) and to stream them every epoch, so the two always agree.
public final class ShardRecords {
    /// One record ready to decode.
    public struct Item {
        /// `flowers00.tfrec, record 3 at byte 1234`
        public var place: String
        /// `flowers00.tfrec#3`: the shard's file name and the record's index in it, how reports
        /// (`misclassified.txt`) name a record that has no file of its own.
        public var name: String
        public var image: [UInt8]
        public var label: Int
        public var className: String?
    }

    private let reader: TFRecordFileReader
    public let schema: ExampleSchema
    /// Records left out whose image is neither JPEG nor PNG.
    public private(set) var unreadable: [SkippedFile] = []

    public init(path: String, schema: ExampleSchema) throws(DataError) {
        reader = try TFRecordFileReader(path: path)
        self.schema = schema
    }

    /// CRC failures and truncation, then unreadable images, as skipped entries.
    public var skipped: [SkippedFile] { reader.problems.map(\.skipped) + unreadable }

    /// The next usable record, or nil at the end. A record without the schema's fields is an
    /// error (a wrong `--image-key`/`--label-key` would otherwise skip every record).
    public func next() throws(DataError) -> Item? {
        while let record = reader.next() {
            let place = "\(reader.name), record \(record.index) at byte \(record.offset)"
            let decoded = try schema.decode(record.data, record: place)
            let head = decoded.image.prefix(ImageFormat.magicLength)
            guard ImageFormat.detect(head) != nil else {
                unreadable.append(SkippedFile(path: place, reason: "feature '\(schema.imageKey)' is not a JPEG or PNG image"))
                continue
            }
            return Item(place: place, name: "\(reader.name)#\(record.index)", image: decoded.image, label: decoded.label,
                        className: decoded.className)
        }
        return nil
    }
}
