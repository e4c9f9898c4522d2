import ConvnetData
import ConvnetSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import ConvnetTraining

/// The pictures a run leaves for a learner (`confusion.svg`, `predictions.svg`,
/// `misclassified.txt`) and the facts `summary.json` keeps for `convnetc report`.
final class RunPicturesTests: XCTestCase {
    func testAFinishedRunWritesTheConfusionPictureThePhotosAndTheMisclassifiedList() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: false)
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 1), output: output)
        XCTAssertTrue(output.text.contains("misclassified.txt"), output.text)

        // The confusion picture: one cell per (true, predicted) pair holding the matrix's count.
        let (counts, names) = try confusion(dir.url)
        let cells = try elements(of: dir.url.appendingPathComponent("confusion.svg")).filter { $0.1["class"] == "cell" }
        XCTAssertEqual(cells.count, names.count * names.count)
        for (_, a) in cells {
            let t = Int(a["data-true"]!)!, p = Int(a["data-predicted"]!)!
            XCTAssertEqual(Int(a["data-count"]!), counts[t][p], "cell \(t),\(p)")
        }
        let svg = try String(contentsOf: dir.url.appendingPathComponent("confusion.svg"), encoding: .utf8)
        for name in names { XCTAssertTrue(svg.contains(">\(name)</text>"), name) }

        // misclassified.txt: the off-diagonal cells, image by image, each a validation file.
        let lines = try misclassifiedLines(dir.url)
        let offDiagonal = counts.indices.reduce(0) { sum, t in sum + counts[t].indices.filter { $0 != t }.reduce(0) { $0 + counts[t][$1] } }
        XCTAssertEqual(lines.count, offDiagonal)
        var recount = Array(repeating: Array(repeating: 0, count: names.count), count: names.count)
        for fields in lines {
            XCTAssertEqual(fields.count, 4, "\(fields)")
            let t = try XCTUnwrap(names.firstIndex(of: fields[1])), p = try XCTUnwrap(names.firstIndex(of: fields[2]))
            XCTAssertNotEqual(t, p)
            recount[t][p] += 1
            XCTAssertTrue(fields[0].hasPrefix(fields[1] + "/"), "a synthetic image is named class/index: \(fields[0])")
            let probability = try XCTUnwrap(Double(fields[3]))
            XCTAssertTrue((0...1).contains(probability))
        }
        for t in names.indices { for p in names.indices where p != t { XCTAssertEqual(recount[t][p], counts[t][p]) } }

        // predictions.svg: every validation photo (12 < 24), mistakes first, each embedded.
        let photos = try elements(of: dir.url.appendingPathComponent("predictions.svg"))
        let groups = photos.filter { $0.1["class"] == "photo" }
        let validation = counts.joined().reduce(0, +)
        XCTAssertEqual(groups.count, min(24, validation))
        XCTAssertEqual(photos.filter { $0.0 == "image" }.count, groups.count)
        XCTAssertTrue(photos.filter { $0.0 == "image" }.allSatisfy { $0.1["href"]?.hasPrefix("data:image/jpeg;base64,/9j/") == true })
        let correct = groups.map { $0.1["data-correct"] == "true" }
        XCTAssertEqual(correct, correct.sorted { !$0 && $1 }, "misclassified photos come first")
        XCTAssertEqual(correct.filter { !$0 }.count, min(offDiagonal, 24 - min(validation - offDiagonal, 8)))
        XCTAssertEqual(result.confusion?.total, validation)
    }

    func testInterruptedAndNaNStoppedRunsKeepTheLastGoodEpochsPictures() throws {
        let model = try checkedModel()
        let first = try TemporaryDirectory()
        let steps = try train(model, into: first.url, options: TrainingOptions(epochs: 1)).state.step

        let flag = InterruptFlag()
        flag.install()
        defer { flag.uninstall() }
        let interrupted = try TemporaryDirectory()
        let stopped = try train(model, into: interrupted.url, options: TrainingOptions(epochs: 3), interrupt: flag,
                                compiler: FaultInjectingCompiler(interruptAtRun: (steps + 2, flag)))
        XCTAssertEqual(stopped.outcome, .interrupted)

        let nan = try TemporaryDirectory()
        XCTAssertThrowsError(try train(model, into: nan.url, options: TrainingOptions(epochs: 3),
                                       compiler: FaultInjectingCompiler(nanAtRun: steps + 2)))
        for dir in [interrupted, nan] {
            for name in ["confusion.svg", "predictions.svg", "misclassified.txt", "confusion.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(name).path), name)
            }
            try elements(of: dir.url.appendingPathComponent("predictions.svg"))
            let (counts, _) = try confusion(dir.url)
            let wrong = counts.joined().reduce(0, +) - counts.indices.reduce(0) { $0 + counts[$1][$1] }
            XCTAssertEqual(try misclassifiedLines(dir.url).count, wrong)
        }
        // Without a finished epoch there is nothing to show.
        let none = try TemporaryDirectory()
        XCTAssertThrowsError(try train(model, into: none.url, options: TrainingOptions(epochs: 2),
                                       compiler: FaultInjectingCompiler(nanAtRun: 1)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: none.url.appendingPathComponent("predictions.svg").path))
    }

    func testSummaryKeepsItsOldKeysFirstAndAddsTheModelItsSizeAndTheWallTime() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 2), clock: TickingClock(tick: 0.5))
        let summary = try JSONParser.parse(String(contentsOf: dir.url.appendingPathComponent("summary.json"), encoding: .utf8))
        guard case .object(let fields) = summary else { return XCTFail("not an object") }
        XCTAssertEqual(fields.map(\.0), ["stop_reason", "epochs_completed", "total_seconds", "skipped", "best", "last",
                                         "model", "parameters", "macs", "backend", "wall_seconds", "learning_rates"])
        XCTAssertEqual(summary["model"], .string("tiny.convnet"))
        // conv 3x3x4 (108 + 4), dense 6*6*4 -> 3 (432 + 3)
        XCTAssertEqual(summary["parameters"], .int(547))
        XCTAssertEqual(summary["macs"], .int(12 * 12 * 4 * 27 + 144 * 3))
        XCTAssertEqual(summary["backend"], .string("reference"))
        let wall = try XCTUnwrap(summary["wall_seconds"]?.doubleValue)
        XCTAssertGreaterThan(wall, try XCTUnwrap(summary["total_seconds"]?.doubleValue), "loading and compiling count too")

        // A resumed run adds its own time to the earlier one's.
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 3, resume: true), clock: TickingClock(tick: 0.5))
        let resumed = try JSONParser.parse(String(contentsOf: dir.url.appendingPathComponent("summary.json"), encoding: .utf8))
        XCTAssertGreaterThan(try XCTUnwrap(resumed["wall_seconds"]?.doubleValue), wall)
    }

    func testClassAndFileNamesWithXMLSpecialsOrControlCharactersKeepThePicturesWellFormed() throws {
        let names = ["a&b", "<c>", "d\"e'", "f\u{1B}[2Jg"]
        let matrix = ConfusionMatrix(classNames: names, pairs: [(0, 0), (1, 2), (3, 3), (2, 1)])
        var image = [Float](repeating: 0.25, count: 4 * 4)  // (4, 4, 1): a gray image
        image[5] = .nan
        var sampler = PredictionSampler(classes: 4)
        image.withUnsafeBufferPointer { i in
            sampler.add(.init(name: "x&y/<z>\u{7}.png", truth: 1, predicted: 2, probability: 0.6),
                        image: i.baseAddress!, height: 4, width: 4, channels: 1)
            sampler.add(.init(name: "ok.png", truth: 0, predicted: 0, probability: 0.9), image: i.baseAddress!,
                        height: 4, width: 4, channels: 1)
        }
        let dir = try TemporaryDirectory()
        let result = ValidationResult(loss: 1, accuracy: 0.5, count: 4, confusion: matrix, predictions: sampler.result)
        try ValidationReports.write(result, to: dir.url, title: "t<&>")
        let cells = try elements(of: dir.url.appendingPathComponent("confusion.svg")).filter { $0.1["class"] == "cell" }
        XCTAssertEqual(cells.count, 16)
        let photos = try elements(of: dir.url.appendingPathComponent("predictions.svg"))
        XCTAssertEqual(photos.filter { $0.0 == "image" }.count, 2, "a gray image is embedded too")
        XCTAssertEqual(photos.compactMap { $0.1["data-name"] }, ["x&y/<z>\\u{7}.png", "ok.png"])
        let lines = try misclassifiedLines(dir.url)
        XCTAssertEqual(lines, [["x&y/<z>\\u{7}.png", "<c>", "d\"e'", "0.6000"]])
    }

    func testAnUnreadableSummaryOrMetricsLogIsReportedNotFatal() throws {
        let dir = try TemporaryDirectory()
        try "not json".write(to: dir.url.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        try "{\"epoch\": 1}\ngarbage\n".write(to: dir.url.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        let record = try RunRecord.read(folder: dir.url.path)
        XCTAssertNil(record.epochs)
        XCTAssertTrue(record.missing.contains("summary.json is unreadable"), "\(record.missing)")
        XCTAssertTrue(record.missing.contains { $0.hasPrefix("metrics.jsonl is unreadable") && $0.contains(":2") }, "\(record.missing)")
        let text = RunComparison(runs: [record]).renderText()
        XCTAssertTrue(text.split(separator: "\n")[1].hasSuffix("-"), text)
    }

    func testPhotosAreBoundedMistakesMostConfidentFirstThenEveryClassInTurn() {
        var sampler = PredictionSampler(classes: 3, limit: 5, thumbnailSide: 4)
        var image = [Float](repeating: 0.5, count: 8 * 6 * 3)  // (8, 6, 3)
        image[0] = 1
        func add(_ truth: Int, _ predicted: Int, _ p: Float, _ name: String) {
            image.withUnsafeBufferPointer { sampler.add(.init(name: name, truth: truth, predicted: predicted, probability: p),
                                                        image: $0.baseAddress!, height: 8, width: 6, channels: 3) }
        }
        for i in 0..<4 { add(0, 0, 0.9, "a\(i)") }
        add(1, 1, 0.8, "b0")
        add(0, 2, 0.4, "w1"); add(1, 0, 0.7, "w2"); add(2, 0, 0.5, "w3"); add(2, 1, 0.6, "w4")
        let result = sampler.result
        XCTAssertEqual(result.misclassified.map(\.name), ["w1", "w2", "w3", "w4"])
        XCTAssertEqual(result.photos.map(\.outcome.name), ["w2", "w4", "w3", "w1", "a0"])
        let photo = result.photos[0]
        XCTAssertEqual([photo.height, photo.width, photo.channels], [4, 3, 3])
        XCTAssertEqual(photo.pixels.count, 4 * 3 * 3)
        XCTAssertEqual(photo.pixels[1], 128)

        // Past the limit, a more confident mistake replaces the least confident one.
        add(0, 1, 0.95, "w5"); add(0, 1, 0.99, "w6")
        XCTAssertEqual(sampler.result.photos.map(\.outcome.name), ["w6", "w5", "w2", "w4", "a0"],
                       "a third of the grid (5 / 3 = 1) stays for correct photos")
        XCTAssertEqual(sampler.result.misclassified.count, 6)
    }
}

/// The pictures of a run on TFRecord shards name each record by shard and index.
extension ShardTrainingTests {
    func testRecordsOfShardsAreNamedByShardAndIndex() throws {
        let data = try TemporaryDirectory()
        let glob = try writeShards(into: data.url)
        let dir = try TemporaryDirectory()
        _ = try train(try checkedModel(), into: dir.url, options: TrainingOptions(epochs: 1, data: glob))
        let names = try elements(of: dir.url.appendingPathComponent("predictions.svg")).compactMap { $0.1["data-name"] }
        XCTAssertEqual(names.count, 12)  // the held-out shard s0.tfrec
        XCTAssertEqual(Set(names), Set((0..<12).map { "s0.tfrec#\($0)" }))
        for fields in try misclassifiedLines(dir.url) { XCTAssertTrue(fields[0].hasPrefix("s0.tfrec#"), fields[0]) }
    }
}

/// Parses `url` as XML, failing the test with the parser's error; returns each element's
/// name with its attributes, in document order.
@discardableResult
func elements(of url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [(String, [String: String])] {
    let parser = XMLParser(data: try Data(contentsOf: url))
    let collector = ElementCollector()
    parser.delegate = collector
    XCTAssertTrue(parser.parse(), "\(url.lastPathComponent): \(parser.parserError.map { "\($0)" } ?? "not XML")",
                  file: file, line: line)
    return collector.elements
}

/// The lines of `misclassified.txt` after its header.
func misclassifiedLines(_ folder: URL) throws -> [[String]] {
    let text = try String(contentsOf: folder.appendingPathComponent("misclassified.txt"), encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, MisclassifiedList.header)
    return lines.dropFirst().map { $0.components(separatedBy: "\t") }
}

func confusion(_ folder: URL) throws -> (counts: [[Int]], names: [String]) {
    let json = try JSONParser.parse(String(contentsOf: folder.appendingPathComponent("confusion.json"), encoding: .utf8))
    guard case .array(let rows)? = json["counts"], case .array(let names)? = json["class_names"] else {
        throw XCTSkip("confusion.json has no counts")
    }
    let counts = rows.map { row -> [Int] in
        guard case .array(let cells) = row else { return [] }
        return cells.map { Int($0.doubleValue ?? -1) }
    }
    return (counts, names.compactMap(\.stringValue))
}


/// Collects element names and attributes.
private final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [(String, [String: String])] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }
}
