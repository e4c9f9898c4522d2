import ConvnetInterface
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

    /// The recipe settings reach `TrainSettings` as written; saturation needs an RGB input.
    func testRecipeSettingsAndSaturationOnGrey() throws {
        let rgb = analyze("input 8x8x3\ngap\ndense 2 softmax\ntrain { augment flip saturation 0 2; label_smoothing 0.1; schedule ramp }")
        let model = try XCTUnwrap(rgb.model, "\(rgb.diagnostics)")
        XCTAssertEqual(model.train.augment, [.flip, .saturation(lower: 0, upper: 2)])
        XCTAssertEqual(model.train.labelSmoothing, 0.1)
        XCTAssertEqual(model.train.schedule, .ramp(RampSchedule()))
        let grey = analyze("input 8x8x1\ngap\ndense 2 softmax\ntrain { augment flip saturation 0 2 }")
        XCTAssertNil(grey.model)
        let error = try XCTUnwrap(grey.diagnostics.first { $0.id == "sema.saturation-needs-rgb" })
        XCTAssertTrue(error.message.contains("1 channel"), error.message)
        XCTAssertNotNil(analyze("input 8x8x1\ngap\ndense 2 softmax\ntrain { augment flip contrast 0.5 1.5 }").model)
    }
}
