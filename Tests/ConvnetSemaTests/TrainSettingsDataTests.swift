import ConvnetSyntax
import XCTest
@testable import ConvnetSema

/// The train block's data globs resolve against the model file's folder.
final class TrainSettingsDataTests: XCTestCase {
    func testValidationDataResolvesLikeData() {
        let r = SourceRange(0, 1)
        let block = TrainBlock(range: r, data: Spanned("shards/train-*.tfrec", r), validationData: Spanned("shards/val-*.tfrec", r))
        let settings = SemanticAnalyzer.trainSettings(block, modelDirectory: "samples")
        XCTAssertEqual(settings.dataPath, "samples/shards/train-*.tfrec")
        XCTAssertEqual(settings.validationDataPath, "samples/shards/val-*.tfrec")
        let absolute = TrainBlock(range: r, validationData: Spanned("/data/val-*.tfrec", r))
        XCTAssertEqual(SemanticAnalyzer.trainSettings(absolute, modelDirectory: "samples").validationDataPath, "/data/val-*.tfrec")
        XCTAssertNil(SemanticAnalyzer.trainSettings(nil, modelDirectory: "samples").validationDataPath)
    }
}
