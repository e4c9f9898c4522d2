import ArgumentParser
import ConvnetData
import ConvnetDriver

/// `convnetc data ...`: data set tools.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Data set tools: convert an image folder to TFRecord shards.",
        subcommands: [TFRecordCommand.self])
}

/// `convnetc data tfrecord FOLDER OUTDIR [--shards N] [--size HxW]`
struct TFRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tfrecord",
        abstract: "Write a folder of class sub-folders as TFRecord shards in the codelab's schema.",
        discussion: """
            Each record is a tf.train.Example with image (JPEG bytes), class (int64), label (the class
            folder's name), size ([height, width]) and one_hot_class (floats). JPEGs keep their original
            bytes unless --size resizes them; the images are shuffled once (always the same way) before
            being dealt into shards, so held-out shards sample every class.
            """)

    @Argument(help: "The image folder (one sub-folder per class).")
    var folder: String

    @Argument(help: "The folder to write the shards into (created if missing; must hold no .tfrec files).")
    var outdir: String

    @Option(help: "Number of shards.")
    var shards: Int = 16

    @Option(help: "Resize and centre-crop every image to HxW and re-encode it (default: keep the original bytes).")
    var size: String?

    func validate() throws {
        if shards < 1 { throw ValidationError("--shards must be at least 1") }
        if let size, TFRecordCommand.parseSize(size) == nil {
            throw ValidationError("--size expects HxW with sizes from 1 to 16384, e.g. --size 192x192; got '\(size)'")
        }
    }

    static func parseSize(_ text: String) -> TFRecordConverter.Size? {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]), (1...16384).contains(h),
              (1...16384).contains(w) else { return nil }
        return TFRecordConverter.Size(height: h, width: w)
    }

    func run() throws {
        let status = try withTrainingErrors {
            try DataConversion.tfrecord(folder: folder, output: outdir, shards: shards,
                                        size: size.flatMap(TFRecordCommand.parseSize))
        }
        if status != 0 { throw ExitCode(status) }
    }
}
