import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetTraining

final class MetricsLogTests: XCTestCase {
    private func record(_ epoch: Int, val: Bool = true) -> EpochMetrics {
        EpochMetrics(epoch: epoch, loss: 1.5 / Double(epoch), accuracy: 0.1 * Double(epoch),
                     valLoss: val ? 1.25 : nil, valAccuracy: val ? 0.5 : nil,
                     imagesPerSecond: 42.5, seconds: 70, learningRate: 0.001)
    }

    func testLinesAreJSONObjectsAppendedPerEpoch() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("metrics.jsonl")
        let log = try MetricsLog(url: url)
        try log.append(record(1))
        // Visible on disk before the log is closed: flushed per epoch.
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8),
                       #"{"epoch":1,"loss":1.5,"accuracy":0.1,"val_loss":1.25,"val_accuracy":0.5,"images_per_sec":42.5,"seconds":70.0,"lr":0.001}"# + "\n")
        var nanEpoch = record(2, val: false)
        nanEpoch.loss = .nan
        try log.append(nanEpoch)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(String(lines[1]), #"{"epoch":2,"loss":null,"accuracy":0.2,"val_loss":null,"val_accuracy":null,"images_per_sec":42.5,"seconds":70.0,"lr":0.001}"#)
        let back = try MetricsLog.read(from: url)
        XCTAssertEqual(back.first, record(1))
        XCTAssertTrue(back[1].loss.isNaN)
        XCTAssertNil(back[1].valAccuracy)
    }

    func testResumeDropsLaterEpochsAndHalfLines() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("metrics.jsonl")
        do {
            let log = try MetricsLog(url: url)
            for e in 1...4 { try log.append(record(e)) }
        }
        // A crash in the middle of writing epoch 5's line.
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        handle.write(Data(#"{"epoch":5,"lo"#.utf8))
        handle.closeFile()
        XCTAssertEqual(try MetricsLog.read(from: url).map(\.epoch), [1, 2, 3, 4])

        let resumed = try MetricsLog(url: url, keepingEpochsThrough: 2)
        try resumed.append(record(3))
        XCTAssertEqual(try MetricsLog.read(from: url).map(\.epoch), [1, 2, 3])
    }

    func testReopeningDropsHalfLineSoNewLinesStayWhole() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("metrics.jsonl")
        try (record(1).json.compactText + "\n" + #"{"epoch":2,"lo"#).write(to: url, atomically: false, encoding: .utf8)
        let log = try MetricsLog(url: url)
        try log.append(record(2))
        XCTAssertEqual(try MetricsLog.read(from: url), [record(1), record(2)])
    }

    func testRecorderKeepsRunFolderCurrent() throws {
        let dir = try TemporaryDirectory()
        let run = try RunDirectory(url: dir.url)
        do {
            let recorder = try TrainingRecorder(run: run, title: "t")
            try recorder.record(record(1))
            try recorder.record(record(2))
            XCTAssertEqual(try JSONParser.parse(String(contentsOf: run.summary, encoding: .utf8))["stop_reason"], .string("running"))
            try recorder.finish(stopReason: "interrupted")
            try recorder.writeConfusion(ConfusionMatrix(classNames: ["a", "b"], pairs: [(0, 0), (1, 0)]))
        }
        XCTAssertEqual(try JSONParser.parse(String(contentsOf: run.summary, encoding: .utf8))["stop_reason"], .string("interrupted"))
        XCTAssertTrue(try String(contentsOf: run.confusionText, encoding: .utf8).hasSuffix("accuracy: 50.0% (1/2)\n"))
        XCTAssertEqual(try String(contentsOf: run.curves, encoding: .utf8).components(separatedBy: "<circle").count - 1, 10)  // 2 epochs x (4 metrics + the rate)

        // Resuming after epoch 1 reloads it and drops epoch 2; a fresh start clears the log.
        let resumed = try TrainingRecorder(run: run, title: "t", resumingAfterEpoch: 1)
        XCTAssertEqual(resumed.epochs, [record(1)])
        try resumed.record(record(2))
        XCTAssertEqual(try MetricsLog.read(from: run.metricsLog).map(\.epoch), [1, 2])
        let fresh = try TrainingRecorder(run: run, title: "t")
        XCTAssertEqual(fresh.epochs, [])
        XCTAssertEqual(try dir.contents(), ["checkpoints", "confusion.json", "confusion.txt", "curves.svg", "metrics.jsonl", "summary.json"])
    }

    func testCorruptLineNamesItsNumber() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("metrics.jsonl")
        try "{\"epoch\":1,\"loss\":1}\nnot json\n".write(to: url, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try MetricsLog.read(from: url)) { XCTAssertEqual("\($0)", "\(url.path):2: not a metrics record") }
    }

    func testSummaryPicksBestValidationEpoch() throws {
        var epochs = (1...3).map { record($0) }
        epochs[1].valAccuracy = 0.75
        epochs[2].valAccuracy = 0.75
        let summary = TrainingSummary(epochs: epochs, stopReason: "completed")
        XCTAssertEqual(summary.bestEpoch?.epoch, 2)
        XCTAssertEqual(summary.totalSeconds, 210)
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("summary.json")
        try summary.write(to: url)
        let json = try JSONParser.parse(String(contentsOf: url, encoding: .utf8))
        XCTAssertEqual(json["best"]?["epoch"], .int(2))
        XCTAssertEqual(json["epochs_completed"], .int(3))
        XCTAssertEqual(json["stop_reason"], .string("completed"))
    }
}
