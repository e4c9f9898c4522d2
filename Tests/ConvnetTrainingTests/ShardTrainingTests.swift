import ConvnetData
import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetTraining

/// Training and evaluation on TFRecord shards, streamed: the resume rule holds for shards too,
/// the held-out shards are what `evaluate` reads, and skipped records reach the summary.
final class ShardTrainingTests: XCTestCase {
    /// The tiny model's synthetic shapes written as 4 shards of 12 PNG records (plus, when asked,
    /// a corrupt record in the last shard); returns the glob.
    func writeShards(into dir: URL, corrupt: Bool = false) throws -> String {
        let shapes = try DatasetLoader.load("synthetic:shapes:3:16", options: LoadOptions(
            shape: ImageShape(height: 12, width: 12, channels: 3), validationFraction: 0, seed: 0, workers: 1))
        let folder = dir.appendingPathComponent("shards")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let order = EpochShuffle.order(count: shapes.trainCount, seed: 42, epoch: 0)  // mix the classes
        for s in 0..<4 {
            let writer = try TFRecordWriter(path: folder.appendingPathComponent("s\(s).tfrec").path)
            for i in order[(s * 12)..<((s + 1) * 12)] {
                let png = PNGEncoder.encode(pixels: Array(shapes.pixels(.training, i)), width: 12, height: 12, channels: 3)!
                let label = shapes.label(.training, i)
                try writer.write(ExampleEncoder.encode([
                    ("image", .bytes([png])), ("class", .int64s([Int64(label)])),
                    ("label", .bytes([Array(shapes.classNames[label].utf8)])),
                ]))
            }
            try writer.close()
        }
        if corrupt {
            let path = folder.appendingPathComponent("s3.tfrec").path
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[40] ^= 0xFF  // inside record 0's data
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        return folder.path + "/*.tfrec"
    }

    func testResumedRunOnShardsEndsBitIdenticalToUninterruptedRun() throws {
        let model = try checkedModel(tinyModelText.replacingOccurrences(of: "seed 7", with: "seed 7\naugment flip crop"))
        let data = try TemporaryDirectory()
        let glob = try writeShards(into: data.url)
        let (whole, split) = (try TemporaryDirectory(), try TemporaryDirectory())
        let output = CapturedOutput(isTerminal: false)
        let uninterrupted = try train(model, into: whole.url, options: TrainingOptions(epochs: 3, data: glob), output: output)
        XCTAssertTrue(output.text.contains("Training on 36 images, validating on 12"), output.text)  // round(0.25 x 4) = 1 shard
        _ = try train(model, into: split.url, options: TrainingOptions(epochs: 1, data: glob))
        let resumed = try train(model, into: split.url, options: TrainingOptions(epochs: 3, data: glob, resume: true))
        XCTAssertEqual(resumed.epochs.map(\.epoch), [1, 2, 3])
        for (name, values) in uninterrupted.state.tensors {
            let other = try XCTUnwrap(resumed.state.tensors[name], name)
            XCTAssertEqual(values.map(\.bitPattern), other.map(\.bitPattern), name)
        }
        XCTAssertEqual(resumed.epochs.map(\.loss), uninterrupted.epochs.map(\.loss))
        XCTAssertEqual(resumed.epochs.map(\.valAccuracy), uninterrupted.epochs.map(\.valAccuracy))
        XCTAssertLessThan(uninterrupted.epochs.last!.loss, uninterrupted.epochs.first!.loss, "it learns from the stream")
    }

    func testCorruptRecordIsWarnedAboutAndCountedInTheSummary() throws {
        let model = try checkedModel()
        let data = try TemporaryDirectory()
        let glob = try writeShards(into: data.url, corrupt: true)
        let run = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: false)
        _ = try train(model, into: run.url, options: TrainingOptions(epochs: 1, data: glob), output: output)
        XCTAssertTrue(output.text.contains("warning: skipped s3.tfrec, record 0 at byte 0: the data's CRC does not match"), output.text)
        XCTAssertTrue(output.text.contains("warning: 1 file skipped"), output.text)
        XCTAssertTrue(output.text.contains("Training on 35 images"), output.text)
        let summary = try JSONParser.parse(String(contentsOf: run.url.appendingPathComponent("summary.json"), encoding: .utf8))
        XCTAssertEqual(summary["skipped"], .int(1))
    }

    func testEvaluateReadsTheValidationShardsAndCountsThem() throws {
        let model = try checkedModel()
        let data = try TemporaryDirectory()
        let glob = try writeShards(into: data.url)
        let run = try TemporaryDirectory()
        _ = try train(model, into: run.url, options: TrainingOptions(epochs: 1, data: glob))
        let weights = run.url.appendingPathComponent("model.safetensors")
        let held = try Evaluator.evaluate(weights: weights, model: model, options: TrainingOptions(data: glob),
                                          output: CapturedOutput(isTerminal: false))
        XCTAssertEqual(held.count, 12)
        let named = try Evaluator.evaluate(weights: weights, model: model,
                                           options: TrainingOptions(validationData: data.url.path + "/shards/s[23].tfrec"),
                                           output: CapturedOutput(isTerminal: false))
        XCTAssertEqual(named.count, 24)
        XCTAssertEqual(named.json["count"], .int(24))
        XCTAssertEqual(named.confusion.classNames, ["circle", "square", "triangle"])
    }
}
