import XCTest
@testable import ConvnetSyntax

/// `validation_data "GLOB"` in `train { }`: the validation TFRecord shards.
final class ValidationDataSettingTests: XCTestCase {
    private func parse(_ text: String) -> (ModelFile, [Diagnostic]) {
        let result = Parser.parse(SourceFile(path: "t.convnet", text: text))
        return (result.file, result.diagnostics)
    }

    func testValidationDataIsAQuotedGlob() throws {
        let (file, diagnostics) = parse("gap\ntrain {\n  data \"tfrec/train-*.tfrec\"\n  validation_data \"tfrec/val-*.tfrec\"\n}")
        XCTAssertEqual(diagnostics.map(\.message), [])
        let train = try XCTUnwrap(file.train)
        XCTAssertEqual(train.data?.value, "tfrec/train-*.tfrec")
        XCTAssertEqual(train.validationData?.value, "tfrec/val-*.tfrec")
        XCTAssertEqual(file.source.text(train.validationData!.range), "\"tfrec/val-*.tfrec\"")
    }

    func testMistakesAreReportedOnTheirLine() {
        let (_, unquoted) = parse("gap\ntrain { validation_data val/*.tfrec }")
        XCTAssertEqual(unquoted.first?.id, "parse.expected-token")
        XCTAssertTrue(unquoted.first?.help?.contains("validation_data \"flowers/val-*.tfrec\"") == true, "\(unquoted)")
        let (_, empty) = parse("gap\ntrain { validation_data \"\" }")
        XCTAssertEqual(empty.map(\.message), ["the validation_data path is empty"])
        let (file, twice) = parse("gap\ntrain {\n validation_data \"a\"\n validation_data \"b\"\n}")
        XCTAssertEqual(twice.map(\.id), ["parse.duplicate-setting"])
        XCTAssertEqual(file.train?.validationData?.value, "a")
        let (_, typo) = parse("gap\ntrain { validation_dat \"a\" }")
        XCTAssertEqual(typo.first?.help, "did you mean 'validation_data'?")
    }
}
