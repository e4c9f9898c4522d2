/// Why a dataset or an image could not be loaded. Every message names the path involved and says
/// how to fix it, because the CLI prints these as-is to a user who typed a folder name.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    case folderNotFound(path: String)
    case notAFolder(path: String)
    case emptyClassFolder(path: String)
    case tooFewClasses(path: String, found: [String])
    case noImages(path: String)
    case noDecodableImages(path: String, skipped: Int)
    case emptySplit(path: String, split: Split, fraction: Double)
    case invalidValidationFraction(Double)
    case unsupportedChannels(Int)
    case invalidImageSize(height: Int, width: Int)
    case badSyntheticSpec(spec: String, reason: String)
    case unreadableImage(path: String, reason: String)
    case badTFRecord(path: String, reason: String)
    /// The data set would not fit in memory (`MemoryBudget`); the message is complete.
    case tooLarge(String)
    case noShards(pattern: String)
    case badRecord(record: String, reason: String)
    case missingFeature(record: String, feature: String, flag: String, present: String)
    case cannotWrite(path: String, reason: String)
    case streamedOnly(pattern: String)
    case validationDataNeedsShards(data: String)
    case shardInBothSets(path: String)
    case noRecords(pattern: String, skipped: Int, first: String?)

    public var description: String {
        switch self {
        case .tooLarge(let message):
            return message
        case .folderNotFound(let path):
            return "dataset folder '\(path)' does not exist\n"
                + "help: pass a folder holding one sub-folder per class (e.g. flowers/daisy/*.jpg), "
                + "or 'synthetic:shapes' for the built-in synthetic set"
        case .notAFolder(let path):
            return "dataset path '\(path)' is a file, not a folder\n"
                + "help: pass the folder that holds the class sub-folders, not an image inside it"
        case .emptyClassFolder(let path):
            return "class folder '\(path)' holds no JPEG or PNG images\n"
                + "help: add images to it or remove the folder (each sub-folder is a class)"
        case .tooFewClasses(let path, let found):
            let list = found.isEmpty ? "none" : found.map { "'\($0)'" }.joined(separator: ", ")
            return "dataset folder '\(path)' has \(found.count) class folder(s) (\(list)); "
                + "a classifier needs at least 2\n"
                + "help: put each class's images in its own sub-folder, e.g. '\(path)/cats/' and '\(path)/dogs/'"
        case .noImages(let path):
            return "dataset folder '\(path)' holds no JPEG or PNG images in its class folders\n"
                + "help: put images (detected by content, any extension) in one sub-folder per class"
        case .noDecodableImages(let path, let skipped):
            return "class folder '\(path)' has no image that could be decoded (\(skipped) skipped)\n"
                + "help: replace the corrupt files listed in the warnings above or remove the folder"
        case .emptySplit(let path, let split, let fraction):
            return "dataset '\(path)' has no \(split) images with validation fraction \(fraction)\n"
                + "help: add images or choose a validation fraction that leaves both splits non-empty"
        case .invalidValidationFraction(let f):
            return "validation fraction \(f) is outside [0, 1)\n"
                + "help: use a value such as 0.19 (19% of the images are held out)"
        case .unsupportedChannels(let c):
            return "the model's input has \(c) channels; image datasets provide 1 (luminance) or 3 (RGB)\n"
                + "help: declare the input as HxWx3 for colour images or HxWx1 for grayscale"
        case .invalidImageSize(let h, let w):
            return "the model's input size \(h)x\(w) cannot be used for images\n"
                + "help: use a height and width between 1 and 16384"
        case .badSyntheticSpec(let spec, let reason):
            return "bad synthetic dataset '\(spec)': \(reason)\n"
                + "help: write synthetic:shapes, synthetic:shapes:CLASSES or synthetic:shapes:CLASSES:PER_CLASS "
                + "(CLASSES 2...\(SyntheticShapes.shapeNames.count), PER_CLASS >= 1)"
        case .unreadableImage(let path, let reason):
            return "cannot read image '\(path)': \(reason)\n"
                + "help: pass a JPEG or PNG file"
        case .badTFRecord(let path, let reason):
            return "bad TFRecord file '\(path)': \(reason)\n"
                + "help: check the file is a complete, uncompressed TFRecord of tf.train.Example records"
        case .noShards(let pattern):
            return "no TFRecord files match '\(pattern)'\n"
                + "help: pass a glob of shards in quotes, e.g. --data \"flowers/*.tfrec\", or a folder of .tfrec files"
        case .badRecord(let record, let reason):
            return "bad TFRecord record (\(record)): \(reason)\n"
                + "help: the records must be tf.train.Example protobufs; --image-key and --label-key name their fields"
        case .missingFeature(let record, let feature, let flag, let present):
            return "TFRecord record (\(record)) has no feature '\(feature)'; \(present)\n"
                + "help: name the field that holds it with \(flag) KEY"
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason)\n"
                + "help: check the folder exists, is writable and the disk has room"
        case .streamedOnly(let pattern):
            return "'\(pattern)' names TFRecord shards, which are streamed, not loaded into memory\n"
                + "help: this command reads image folders; convert shards back to a folder or use --run/evaluate"
        case .validationDataNeedsShards(let data):
            return "--validation-data names TFRecord shards, but the training data '\(data)' is not TFRecord shards\n"
                + "help: convert the folder with `convnetc data tfrecord FOLDER OUTDIR`, or use --validation F to hold out part of the folder"
        case .noRecords(let pattern, let skipped, let first):
            return "the TFRecord files '\(pattern)' hold no usable record (\(skipped) skipped"
                + (first.map { "; the first: \($0)" } ?? "") + ")\n"
                + "help: pass uncompressed TFRecord shards of tf.train.Example records holding JPEG or PNG images"
        case .shardInBothSets(let path):
            return "shard '\(path)' is both in the training data and in the validation data\n"
                + "help: make the --data and --validation-data globs name different files"
        }
    }
}
