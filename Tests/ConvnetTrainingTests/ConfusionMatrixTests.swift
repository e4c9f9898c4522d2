import ConvnetSupport
import XCTest
@testable import ConvnetTraining

final class ConfusionMatrixTests: XCTestCase {
    private func sample() -> ConfusionMatrix {
        var pairs: [(truth: Int, predicted: Int)] = []
        pairs += Array(repeating: (0, 0), count: 8) + [(0, 1), (0, 2)]  // daisy: 8/10
        pairs += Array(repeating: (1, 1), count: 12) + [(1, 0)]         // dandelion: 12/13
        pairs += [(2, 1), (2, 2)]                                         // roses: 1/2
        return ConfusionMatrix(classNames: ["daisy", "dandelion", "roses", "tulips"], pairs: pairs)
    }

    func testCountsAndRatios() {
        let m = sample()
        XCTAssertEqual(m.counts, [[8, 1, 1, 0], [1, 12, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]])
        XCTAssertEqual(m.total, 25)
        XCTAssertEqual(m.correct, 21)
        XCTAssertEqual(m.accuracy, 0.84)
        XCTAssertEqual(m.recall(of: 0), 0.8)
        XCTAssertNil(m.recall(of: 3))
        XCTAssertEqual(m.precision(of: 1), 12.0 / 14.0)
        XCTAssertNil(m.precision(of: 3))
    }

    func testTextRendering() {
        let expected = """
            true \\ predicted  daisy  dandelion  roses  tulips  recall
            daisy                 8          1      1       0   80.0%
            dandelion             1         12      0       0   92.3%
            roses                 0          1      1       0   50.0%
            tulips                0          0      0       0       -
            precision         88.9%      85.7%  50.0%       -
            accuracy: 84.0% (21/25)

            """
        XCTAssertEqual(sample().render(), expected)
    }

    func testJSONAndMerge() throws {
        var m = sample()
        m.merge(sample())
        XCTAssertEqual(m.total, 50)
        let json = try JSONParser.parse(m.json.compactText)
        XCTAssertEqual(json["counts"], .array([[16, 2, 2, 0], [2, 24, 0, 0], [0, 2, 2, 0], [0, 0, 0, 0]].map { .array($0.map { .int($0) }) }))
        XCTAssertEqual(json["recall"], .array([.double(0.8), .double(24.0 / 26.0), .double(0.5), .null]))
        XCTAssertEqual(json["accuracy"], .double(0.84))
        XCTAssertEqual(json["class_names"], .array(["daisy", "dandelion", "roses", "tulips"].map { .string($0) }))
        XCTAssertEqual(json["total"], .int(50))
    }
}
