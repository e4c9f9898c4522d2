import Foundation
@testable import ConvnetData

/// Shards written on the fly: codelab-schema Examples, framed by `TFRecordWriter.frame`.
enum ShardFixture {
    /// A codelab-schema Example; nil fields are left out.
    static func example(image: [UInt8]?, cls: Int64?, label: String?, classes: Int = 3) -> [UInt8] {
        var features: [(String, ExampleParser.Feature)] = []
        if let image { features.append(("image", .bytes([image]))) }
        if let cls { features.append(("class", .int64s([cls]))) }
        if let label { features.append(("label", .bytes([Array(label.utf8)]))) }
        features.append(("size", .int64s([12, 12])))
        var hot = [Float](repeating: 0, count: classes)
        if let cls, cls < classes { hot[Int(cls)] = 1 }
        features.append(("one_hot_class", .floats(hot)))
        return ExampleEncoder.encode(features)
    }

    /// A PNG that differs for every `(label, n)`: lossless, so decoded pixels identify the record.
    static func image(label: Int, n: Int, size: Int = 12) -> [UInt8] {
        var p = Fixture.gradient(width: size, height: size, seed: label)
        p[0] = UInt8(n % 256); p[1] = UInt8(n / 256); p[2] = UInt8(label)
        return PNGEncoder.encode(pixels: p, width: size, height: size, channels: 3)!
    }

    static let names = ["daisy", "roses", "tulips"]

    /// Framed records `first..<first+count`, record n of class `n % classes`.
    static func shard(records: Range<Int>, classes: Int = 3) -> [UInt8] {
        records.flatMap { n in
            TFRecordWriter.frame(example(image: image(label: n % classes, n: n), cls: Int64(n % classes),
                                         label: names[n % classes], classes: classes))
        }
    }

    /// `count` shards of `perShard` records each in `folder/name`, as `s00.tfrec`, `s01.tfrec`...
    @discardableResult
    static func shards(_ folder: TempFolder, count: Int, perShard: Int, under name: String = "shards") -> [String] {
        (0..<count).map { s in
            folder.write("\(name)/s\(String(format: "%02d", s)).tfrec", shard(records: (s * perShard)..<((s + 1) * perShard)))
        }
    }
}
