/// What the user wrote after `--data`: a folder of class folders, TFRecord shards (a glob such as
/// `flowers/*.tfrec`, one `.tfrec` file or a folder of them), or
/// `synthetic:shapes[:CLASSES[:PER_CLASS]]`.
public enum DatasetSpec: Hashable, Sendable {
    case folder(String)
    case tfrecord(String)
    case synthetic(SyntheticShapes)

    /// Prefix that selects a built-in dataset rather than a path.
    public static let syntheticPrefix = "synthetic:"

    public static func parse(_ text: String) throws(DataError) -> DatasetSpec {
        guard text.hasPrefix(syntheticPrefix) else {
            return ShardGlob.isShards(text) ? .tfrecord(text) : .folder(text)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[1] == "shapes" else {
            throw .badSyntheticSpec(spec: text, reason: "unknown synthetic dataset '\(parts.count > 1 ? parts[1] : "")'")
        }
        guard parts.count <= 4 else { throw .badSyntheticSpec(spec: text, reason: "too many ':' fields") }
        var shapes = SyntheticShapes()
        if parts.count >= 3 {
            guard let c = Int(parts[2]), c >= 2, c <= SyntheticShapes.shapeNames.count else {
                throw .badSyntheticSpec(spec: text, reason: "CLASSES must be a number from 2 to \(SyntheticShapes.shapeNames.count)")
            }
            shapes.classes = c
        }
        if parts.count == 4 {
            guard let n = Int(parts[3]), n >= 1 else {
                throw .badSyntheticSpec(spec: text, reason: "PER_CLASS must be a number of at least 1")
            }
            shapes.perClass = n
        }
        return .synthetic(shapes)
    }
}

/// Loads a dataset into memory: image folders and synthetic shapes. TFRecord shards are streamed
/// instead (`DataSourceLoader`), never decoded all at once.
public enum DatasetLoader {
    public static func load(_ spec: String, options: LoadOptions) throws(DataError) -> InMemoryDataset {
        switch try DatasetSpec.parse(spec) {
        case .folder(let path): return try ImageFolderLoader.load(root: path, options: options)
        case .tfrecord(let pattern): throw .streamedOnly(pattern: pattern)
        case .synthetic(let shapes): return try shapes.load(options: options, source: spec)
        }
    }
}
