import Foundation
import Synchronization

/// `convnetc data tfrecord FOLDER OUTDIR`: writes an image folder as TFRecord shards in the
/// codelab's schema (references.md §2): per record `image` (JPEG bytes), `class` (int64),
/// `label` (the class folder's name), `size` (int64 [height, width]) and `one_hot_class` (floats).
///
/// - The images are shuffled once (a fixed seed, so the same folder always gives the same shards)
///   and dealt into `shards` files of `ceil(n / shards)` records, the last one shorter, named
///   `<folder>NN-<count>.tfrec` like the codelab's `flowers00-230.tfrec`: holding out the first
///   shards then holds out a random sample of every class.
/// - A JPEG keeps its original bytes; a PNG is re-encoded as JPEG (the schema's `image` is a
///   JPEG); with `size` every image is resized (shorter side, bilinear) and centre-cropped to it,
///   as training does, and re-encoded at quality 95.
/// - Every image is decoded once to check it: unreadable ones are skipped with a warning, as the
///   folder loader skips them.
public struct TFRecordConverter: Sendable {
    public var folder: String
    public var output: String
    public var shards: Int
    /// `--size HxW`: resize and crop to this; nil keeps the original bytes.
    public var size: Size?

    public struct Size: Hashable, Sendable {
        public var height: Int
        public var width: Int
        public init(height: Int, width: Int) { self.height = height; self.width = width }
    }
    public var workers: Int
    /// JPEG quality of re-encoded images.
    public var quality = 95

    static let shuffleTag: UInt64 = 0x5446_5243  // "TFRC"

    public init(folder: String, output: String, shards: Int = 16, size: Size? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.folder = folder
        self.output = output
        self.shards = shards
        self.size = size
        self.workers = workers
    }

    /// What was written.
    public struct Summary: Sendable {
        public var files: [String]
        public var records: Int
        public var classNames: [String]
        public var skipped: [SkippedFile]
    }

    /// Converts; `progress(done, total)` after each image.
    public func run(progress: (@Sendable (Int, Int) -> Void)? = nil) throws(DataError) -> Summary {
        let listing = try ImageFolderListing(root: folder)
        let outURL = URL(fileURLWithPath: output, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: output, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter(ShardGlob.isShardName)
        if let first = existing.sorted().first {
            throw .cannotWrite(path: output, reason: "it already holds TFRecord files (\(first)...); a glob over it would mix "
                + "old and new shards. Choose an empty folder or remove them")
        }
        let entries = listing.entries
        let order = EpochShuffle.order(count: entries.count, seed: TFRecordConverter.shuffleTag, epoch: 0)
        let perShard = (entries.count + shards - 1) / shards
        let shardCount = (entries.count + perShard - 1) / perShard
        let digits = max(2, String(shardCount - 1).count)
        let prefix = TFRecordConverter.prefix(folder)
        let done = Mutex<Int>(0)
        var files: [String] = []
        var skipped = listing.skipped
        var records = 0
        for s in 0..<shardCount {
            let members = Array(order[(s * perShard)..<min(entries.count, (s + 1) * perShard)])
            let encoded = Mutex<[Int: Result<[UInt8], ImageDecodeError>]>([:])
            let total = entries.count
            ParallelWork.run(count: members.count, workers: workers, progress: nil) {
                let decoder = JPEGDecoder()
                return { i in
                    let entry = entries[members[i]]
                    let result = self.record(entry: entry, listing: listing, decoder: decoder)
                    encoded.withLock { $0[i] = result }
                    let d = done.withLock { d in d += 1; return d }
                    progress?(d, total)
                }
            }
            let results = encoded.withLock { $0 }
            var good: [[UInt8]] = []
            for i in members.indices {
                switch results[i]! {
                case .success(let bytes): good.append(bytes)
                case .failure(let e): skipped.append(SkippedFile(path: entries[members[i]].relativePath, reason: e.reason))
                }
            }
            let name = "\(prefix)\(String(repeating: "0", count: max(0, digits - String(s).count)))\(s)-\(good.count).tfrec"
            let path = outURL.appendingPathComponent(name).path
            let writer = try TFRecordWriter(path: path)
            for bytes in good { try writer.write(bytes) }
            try writer.close()
            files.append(path)
            records += good.count
        }
        return Summary(files: files, records: records, classNames: listing.classNames, skipped: skipped)
    }

    /// One image's serialized Example.
    func record(entry: ImageFolderListing.Entry, listing: ImageFolderListing,
                decoder: JPEGDecoder) -> Result<[UInt8], ImageDecodeError> {
        guard let data = FileManager.default.contents(atPath: listing.path(of: entry)) else {
            return .failure(ImageDecodeError(reason: "cannot read the file"))
        }
        let bytes = [UInt8](data)
        let format = ImageFormat.detect(bytes)
        // Typed throws do not pass through `withUnsafeBytes`, so carry the outcome as a Result.
        let outcome: Result<RGBImage, ImageDecodeError> = bytes.withUnsafeBytes { raw in
            do throws(ImageDecodeError) {
                switch format {
                case .jpeg?: return .success(try decoder.decode(raw))
                case .png?: return .success(try PNGDecoder.decode(raw))
                case nil: throw ImageDecodeError(reason: "not a JPEG or PNG file")
                }
            } catch {
                return .failure(error)
            }
        }
        let decoded: RGBImage
        switch outcome {
        case .success(let image): decoded = image
        case .failure(let error): return .failure(error)
        }
        var image = bytes
        var stored = decoded
        if let size {
            stored = ResizeCrop.apply(decoded, targetHeight: size.height, targetWidth: size.width)
        }
        if size != nil || format != .jpeg {
            guard let jpeg = JPEGEncoder.encode(pixels: stored.pixels, width: stored.width, height: stored.height,
                                                channels: 3, quality: quality) else {
                return .failure(ImageDecodeError(reason: "could not encode it as JPEG"))
            }
            image = jpeg
        }
        let classes = listing.classNames.count
        var oneHot = [Float](repeating: 0, count: classes)
        oneHot[entry.label] = 1
        return .success(ExampleEncoder.encode([
            ("image", .bytes([image])),
            ("class", .int64s([Int64(entry.label)])),
            ("label", .bytes([Array(listing.classNames[entry.label].utf8)])),
            ("size", .int64s([Int64(stored.height), Int64(stored.width)])),
            ("one_hot_class", .floats(oneHot)),
        ]))
    }

    /// The shard name's prefix: the folder's name (`flowers` -> `flowers00-230.tfrec`).
    static func prefix(_ folder: String) -> String {
        let name = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        let cleaned = name.filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return cleaned.isEmpty ? "shard" : cleaned
    }
}
