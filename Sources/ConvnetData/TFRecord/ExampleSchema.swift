/// Which features of a `tf.train.Example` hold the image and its class. The default is the
/// codelab's schema (references.md §2): `image` (JPEG bytes), `class` (int64), `label` (the class
/// name as bytes); `size` and `one_hot_class` are written but not needed to read.
/// `--image-key` and `--label-key` name other fields.
public struct ExampleSchema: Hashable, Sendable {
    /// The bytes feature holding the encoded image.
    public var imageKey: String
    /// The int64 feature holding the class index.
    public var labelKey: String
    /// The bytes feature holding the class name, when present.
    public var classNameKey: String

    public static let codelab = ExampleSchema()

    public init(imageKey: String = "image", labelKey: String = "class", classNameKey: String = "label") {
        self.imageKey = imageKey
        self.labelKey = labelKey
        self.classNameKey = classNameKey
    }

    /// One record's image, class and (optional) class name.
    public struct Decoded {
        public var image: [UInt8]
        public var label: Int
        public var className: String?
    }

    /// Classes are indices into a table of names; anything this large is a wrong field.
    static let maximumClasses = 100_000

    /// Reads the schema's fields from a record. `record` names it in errors
    /// (`flowers00.tfrec, record 3 at byte 1234`).
    public func decode(_ bytes: [UInt8], record: String) throws(DataError) -> Decoded {
        guard let features = bytes.withUnsafeBytes({ ExampleParser.parse($0) }) else {
            throw .badRecord(record: record, reason: "its data is not a tf.train.Example protobuf")
        }
        func present() -> String {
            features.isEmpty ? "it has no features" : "it has " + features.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
        }
        guard let imageFeature = features[imageKey] else {
            throw .missingFeature(record: record, feature: imageKey, flag: "--image-key", present: present())
        }
        guard case .bytes(let images) = imageFeature, images.count == 1 else {
            throw .badRecord(record: record, reason: "feature '\(imageKey)' must hold one bytes value (an encoded image); "
                + "it holds \(imageFeature.summary)")
        }
        guard let labelFeature = features[labelKey] else {
            throw .missingFeature(record: record, feature: labelKey, flag: "--label-key", present: present())
        }
        guard case .int64s(let labels) = labelFeature, labels.count == 1 else {
            throw .badRecord(record: record, reason: "feature '\(labelKey)' must hold one int64 value (the class index); "
                + "it holds \(labelFeature.summary)")
        }
        guard labels[0] >= 0, labels[0] < ExampleSchema.maximumClasses else {
            throw .badRecord(record: record, reason: "class index \(labels[0]) in feature '\(labelKey)' is out of range "
                + "0..<\(ExampleSchema.maximumClasses)")
        }
        var name: String?
        if case .bytes(let names)? = features[classNameKey], let first = names.first {
            name = String(decoding: first, as: UTF8.self)
        }
        return Decoded(image: images[0], label: Int(labels[0]), className: name)
    }
}

extension ExampleParser.Feature {
    /// `2 int64 values`, for messages.
    var summary: String {
        switch self {
        case .bytes(let v): return "\(v.count) bytes value\(v.count == 1 ? "" : "s")"
        case .floats(let v): return "\(v.count) float value\(v.count == 1 ? "" : "s")"
        case .int64s(let v): return "\(v.count) int64 value\(v.count == 1 ? "" : "s")"
        }
    }
}
