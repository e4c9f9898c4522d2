import ConvnetSupport
import ConvnetSyntax
import XCTest
@testable import ConvnetSema

/// Lint over graphs: every branch counts, depthwise convolutions are vector-unit work, and a
/// finding on a layer made by a block call names the call.
final class GraphLintTests: XCTestCase {
    let context = LintContext(trainingImages: 2951, classCount: 5, imagesSource: "the data folder",
                              machineMemoryBytes: 24 << 30, device: tpuV2)

    private func model(_ text: String) throws -> CheckedModel {
        let (model, diagnostics) = analyze(text)
        return try XCTUnwrap(model, "\(diagnostics.map(\.message))")
    }

    func testMXUPaddingSaysDepthwiseRunsOnTheVectorUnit() throws {
        let m = try model("input 32x32x128\ndwconv 3x3 relu\nsepconv 3x3x8 relu\ngap\ndense 5 softmax")
        let findings = MXUPaddingRule().check(m, context, LintThresholds())
        let dw = try XCTUnwrap(findings.first { $0.message.hasPrefix("depthwise_conv2d") })
        XCTAssertTrue(dw.message.contains("vector unit, not the MXU"), dw.message)
        let sep = try XCTUnwrap(findings.first { $0.message.hasPrefix("separable_conv2d") })
        XCTAssertTrue(sep.message.contains("K=128, N=8"), sep.message)
    }

    func testParamBudgetAndMACSharesCountEveryBranch() throws {
        let text = """
        input 192x192x3
        concat {
          branch { conv 3x3x64 relu }
          branch { conv 3x3x64 relu }
          branch { conv 3x3x64 relu }
        }
        maxpool 2
        conv 3x3x600 relu
        gap
        dense 5 softmax
        """
        let m = try model(text)
        let budget = ParamBudgetRule().check(m, context, LintThresholds())
        XCTAssertEqual(budget.map(\.id), ["param-budget"])
        XCTAssertTrue(budget[0].message.contains(NumberFormat.grouped(m.totalParams)), budget[0].message)
        let late = LateDownsamplingRule().check(m, context, LintThresholds())
        // Three convolutions at full resolution, one per branch.
        XCTAssertTrue(late.contains { $0.message.hasPrefix("3 convolutions run at the input's full 192x192") },
                      "\(late.map(\.message))")
    }

    func testFindingsInsideABlockNameTheCall() throws {
        let text = "input 192x192x3\nblock big() {\n  conv 7x7x8 relu\n}\nconv 3x3x8 relu\nbig()\ngap\ndense 5 softmax"
        let m = try model(text)
        let findings = Linter(disabled: ["mxu-padding"]).lint(m, context: context)
        let large = try XCTUnwrap(findings.first { $0.id == "large-kernel" })
        XCTAssertEqual(m.file.source.location(of: large.range!.start).line, 3)
        XCTAssertEqual(large.notes.compactMap { $0.range.map { m.file.source.location(of: $0.start).line } }, [6])
    }

    func testTwoLinearLayersFollowTheGraphNotTheList() throws {
        // conv2d is linear and feeds a merge: no "two linear layers" finding, although the next
        // layer in the list is a convolution.
        let m = try model("input 32x32x3\nconv 3x3x8\nadd { branch { conv 1x1x8 relu }; branch { } }\ngap\ndense 5 softmax")
        let findings = HeadRule().check(m, context, LintThresholds())
        XCTAssertFalse(findings.contains { $0.message.contains("two linear layers") }, "\(findings.map(\.message))")
        let chain = try model("input 32x32x3\nconv 3x3x8\nconv 3x3x8 relu\ngap\ndense 5 softmax")
        XCTAssertTrue(HeadRule().check(chain, context, LintThresholds()).contains { $0.message.contains("two linear layers") })
    }
}
