import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import ConvnetTraining

final class TrainingCurvesPlotTests: XCTestCase {
    /// Collects elements and attributes while checking the document is well-formed XML.
    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var texts: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
    }

    private func parse(_ svg: String) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        return collector
    }

    private func epochs(_ n: Int, withValidation: Bool = true) -> [EpochMetrics] {
        (1...n).map { e in
            EpochMetrics(epoch: e, loss: 1.6 / Double(e), accuracy: 0.2 + 0.03 * Double(e),
                         valLoss: withValidation ? 1.7 / Double(e) + 0.1 : nil,
                         valAccuracy: withValidation ? 0.2 + 0.025 * Double(e) : nil,
                         imagesPerSecond: 40, seconds: 60, learningRate: 0.001)
        }
    }

    func testWellFormedWithOnePointPerEpochPerSeries() throws {
        let collector = try parse(TrainingCurvesPlot(title: "flowers <solution> & co").svg(epochs: epochs(20)))
        XCTAssertEqual(collector.elements.first?.name, "svg")
        let lines = collector.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.map { $0.attributes["data-series"] ?? "" }, ["loss", "val_loss", "accuracy", "val_accuracy", "learning_rate"])
        for line in lines {
            let points = (line.attributes["points"] ?? "").split(separator: " ")
            XCTAssertEqual(points.count, 20)
            XCTAssertTrue(points.allSatisfy { $0.split(separator: ",").count == 2 && $0.split(separator: ",").allSatisfy { Double($0) != nil } })
        }
        XCTAssertEqual(collector.elements.filter { $0.name == "circle" }.count, 100)
        XCTAssertEqual(collector.elements.filter { $0.name == "text" && $0.attributes["class"] == "legend" }.count, 5)
        XCTAssertTrue(collector.texts.joined().contains("flowers <solution> & co"), "the title is escaped and parses back")
        XCTAssertTrue(collector.texts.contains("epoch"))
    }

    func testLossDecreasingMeansLinesGoDown() throws {
        let collector = try parse(TrainingCurvesPlot().svg(epochs: epochs(5)))
        let loss = collector.elements.first { $0.attributes["data-series"] == "loss" && $0.name == "polyline" }!
        let ys = loss.attributes["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        XCTAssertEqual(ys, ys.sorted(), "SVG y grows downwards, so a falling loss has growing y")
        let xs = loss.attributes["points"]!.split(separator: " ").map { Double($0.split(separator: ",")[0])! }
        XCTAssertEqual(xs, xs.sorted())
        XCTAssertEqual(Set(xs).count, 5)
    }

    func testNoValidationAndNaNEpochs() throws {
        var data = epochs(4, withValidation: false)
        data[2].loss = .nan
        let collector = try parse(TrainingCurvesPlot().svg(epochs: data))
        let lines = collector.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.map { $0.attributes["data-series"] ?? "" }, ["loss", "accuracy", "learning_rate"])
        XCTAssertEqual(lines[0].attributes["points"]?.split(separator: " ").count, 3)
        // A single epoch still plots.
        XCTAssertEqual(try parse(TrainingCurvesPlot().svg(epochs: epochs(1))).elements.filter { $0.name == "circle" }.count, 5)
        // Records without a rate (NaN) leave the rate panel out.
        let unrated = epochs(3).map { e -> EpochMetrics in var e = e; e.learningRate = .nan; return e }
        let plain = try parse(TrainingCurvesPlot().svg(epochs: unrated))
        XCTAssertEqual(plain.elements.filter { $0.name == "polyline" }.count, 4)
        XCTAssertFalse(plain.elements.contains { $0.attributes["id"] == "learning-rate-panel" })
        XCTAssertTrue(try parse(TrainingCurvesPlot().svg(epochs: epochs(3))).elements.contains { $0.attributes["id"] == "learning-rate-panel" })
    }

    func testNiceCeilingAndAtomicWrite() throws {
        let plot = TrainingCurvesPlot()
        XCTAssertEqual(plot.niceCeiling(1.6), 2)
        XCTAssertEqual(plot.niceCeiling(0.23), 0.25)
        XCTAssertEqual(plot.niceCeiling(3), 5)
        XCTAssertEqual(plot.niceCeiling(10), 10)
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("curves.svg")
        try plot.write(epochs: epochs(3), to: url)
        XCTAssertEqual(try dir.contents(), ["curves.svg"])
        XCTAssertTrue(try String(contentsOf: url, encoding: .utf8).hasSuffix("</svg>\n"))
    }
}
