import ConvnetSyntax
import XCTest
@testable import ConvnetSema

/// Each lint rule shown firing and staying quiet, on the codelab's models.
final class LintRuleTests: XCTestCase {
    let gib = 1 << 30
    lazy var flowersContext = LintContext(trainingImages: 2951, classCount: 5, imagesSource: "the data folder",
                                          machineMemoryBytes: 24 * gib, device: tpuV2)

    private func checked(input: (Int, Int, Int) = (192, 192, 3), _ kinds: [LayerKind]) throws -> CheckedModel {
        try XCTUnwrap(SemanticAnalyzer.analyze(modelFile(input: input, kinds)).model)
    }

    private func run(_ rule: some LintRule, _ model: CheckedModel, _ context: LintContext? = nil,
                     _ t: LintThresholds = LintThresholds()) -> [Diagnostic] {
        rule.check(model, context ?? flowersContext, t)
    }

    let playground: [LayerKind] = [conv(3, 16), conv(3, 30), maxpool(2), conv(3, 50), maxpool(2), conv(3, 70),
                                   .flatten, dense(5, .softmax)]

    func testDenseBlowupQuotesTheCodelabNumbers() throws {
        let findings = run(DenseBlowupRule(), try checked(playground))
        XCTAssertEqual(findings.count, 1)
        XCTAssertEqual(findings[0].message,
                       "dense (dense 5 softmax) takes 806,405 weights from a 48x48x70 flatten: 94% of the model's 856,323 parameters")
        XCTAssertTrue(findings[0].help!.contains("gap"))
        XCTAssertTrue(run(DenseBlowupRule(), try checked(solutionNotebook)).isEmpty)
        // The dense model: 55 M weights behind a flatten.
        XCTAssertEqual(run(DenseBlowupRule(), try checked([.flatten, dense(500), dense(50), dense(5, .softmax)])).count, 1)
    }

    func testParamBudget() throws {
        let over = run(ParamBudgetRule(), try checked(playground))
        XCTAssertEqual(over.map(\.id), ["param-budget"])
        XCTAssertTrue(over[0].message.contains("856,323"), over[0].message)
        XCTAssertTrue(over[0].message.contains("2,951"), over[0].message)
        XCTAssertTrue(run(ParamBudgetRule(), try checked(solutionNotebook)).isEmpty)  // 293,233 < 295,100
        var unknown = flowersContext
        unknown.trainingImages = nil
        XCTAssertTrue(run(ParamBudgetRule(), try checked(playground), unknown).isEmpty)
    }

    func testLargeKernelAfterTheFirstLayerOnly() throws {
        let findings = run(LargeKernelRule(), try checked([conv(7, 16), conv(5, 32), .globalAveragePool, dense(5, .softmax)]))
        XCTAssertEqual(findings.count, 1)
        // 5x5x16x32 = 12,800 weights; two 3x3: 9*16*32 + 9*32*32 = 13,824.
        XCTAssertTrue(findings[0].message.contains("12,800"), findings[0].message)
        XCTAssertTrue(findings[0].message.contains("2 stacked 3x3"), findings[0].message)
        XCTAssertTrue(run(LargeKernelRule(), try checked(solutionNotebook)).isEmpty)
    }

    func testLateDownsampling() throws {
        let threeAtFull = run(LateDownsamplingRule(), try checked([conv(3, 8), conv(3, 8), conv(3, 8), maxpool(2),
                                                                   maxpool(2), maxpool(2), .globalAveragePool, dense(5, .softmax)]))
        XCTAssertEqual(threeAtFull.count, 1)
        XCTAssertTrue(threeAtFull[0].message.contains("100.0% of the model's MACs"), threeAtFull[0].message)
        let lateHead = run(LateDownsamplingRule(), try checked([conv(3, 8), maxpool(2), .globalAveragePool, dense(5, .softmax)]))
        XCTAssertEqual(lateHead.count, 1)
        XCTAssertTrue(lateHead[0].message.contains("96x96x8"), lateHead[0].message)
        XCTAssertTrue(run(LateDownsamplingRule(), try checked(solutionNotebook)).isEmpty)
        XCTAssertTrue(run(LateDownsamplingRule(), try checked(playground)).isEmpty)  // 48 = exactly 1/4
    }

    func testHead() throws {
        XCTAssertTrue(run(HeadRule(), try checked(solutionNotebook)).isEmpty)
        let noSoftmax = run(HeadRule(), try checked([conv(3, 8), .globalAveragePool, dense(5, .relu)]))
        XCTAssertEqual(noSoftmax.count, 1)
        XCTAssertEqual(noSoftmax[0].severity, .warning)
        var three = flowersContext
        three.classCount = 3
        let mismatch = run(HeadRule(), try checked(solutionNotebook), three)
        XCTAssertEqual(mismatch.map(\.severity), [.error])
        XCTAssertEqual(mismatch[0].help, "write `dense 3 softmax`")
        let early = run(HeadRule(), try checked([conv(3, 8, .softmax), .globalAveragePool, dense(5, .softmax)]))
        XCTAssertEqual(early.count, 1)
        let linear = run(HeadRule(), try checked([conv(3, 8), .globalAveragePool, dense(90, .linear), dense(5, .softmax)]))
        XCTAssertEqual(linear.count, 1)
        XCTAssertTrue(linear[0].message.contains("collapse"), linear[0].message)
        // A linear layer followed by a max pool is not two linear layers in a row.
        XCTAssertTrue(run(HeadRule(), try checked([conv(3, 8, .linear), maxpool(2), conv(3, 8), .globalAveragePool,
                                                   dense(5, .softmax)])).isEmpty)
    }

    func testDepth() throws {
        XCTAssertEqual(run(DepthRule(), try checked([.globalAveragePool, dense(5, .softmax)])).map(\.severity), [.note])
        XCTAssertTrue(run(DepthRule(), try checked(solutionNotebook)).isEmpty)
        let deep = Array(repeating: conv(3, 4), count: 21) + [.globalAveragePool, dense(5, .softmax)]
        XCTAssertEqual(run(DepthRule(), try checked(input: (16, 16, 3), deep)).count, 1)
    }

    func testMXUPadding() throws {
        XCTAssertEqual(MXUPaddingRule.tileUse(k: 27, n: 16, rows: 128, cols: 128).use, 27.0 * 16 / 16384, accuracy: 1e-12)
        XCTAssertEqual(MXUPaddingRule.tileUse(k: 129, n: 128, rows: 128, cols: 128).tilesK, 2)
        let findings = run(MXUPaddingRule(), try checked(solutionNotebook))
        // conv2d_3 (540x90 in 640x128: 59%) and conv2d_4 (810x110: 78%) fill over half their tiles;
        // the other 6 weight layers do not; plus the batch rule (batch 32 on 8 cores).
        XCTAssertEqual(findings.count, 7)
        XCTAssertFalse(findings.contains { $0.message.hasPrefix("conv2d_3 ") || $0.message.hasPrefix("conv2d_4 ") })
        XCTAssertTrue(findings.allSatisfy { $0.severity == .note })
        XCTAssertTrue(findings[0].message.hasPrefix("conv2d lowers to a matmul with M=1,179,648, K=27, N=16"), findings[0].message)
        XCTAssertTrue(findings.last!.message.contains("batch 32 on 8 cores gives 4 per core"), findings.last!.message)
        // A matmul that fills its tiles: K = 1*1*128, N = 128, and a batch of 64.
        var model = try checked(input: (8, 8, 128), [conv(1, 128)])
        model.train.batch = 64
        XCTAssertTrue(run(MXUPaddingRule(), model).isEmpty)
    }

    func testActivationMemory() throws {
        var model = try checked(solutionNotebook)
        XCTAssertTrue(run(ActivationMemoryRule(), model).isEmpty)
        model.train.batch = 4096
        let findings = run(ActivationMemoryRule(), model)
        XCTAssertEqual(findings.count, 1)
        XCTAssertTrue(findings[0].message.contains("conv2d_1"), findings[0].message)
    }

    func testLinterStrictDisableAndInlineComments() throws {
        var model = try checked(playground)
        let all = Linter().lint(model, context: flowersContext)
        XCTAssertTrue(all.contains { $0.id == "dense-blowup" && $0.severity == .warning })
        let strict = Linter(strict: true).lint(model, context: flowersContext)
        XCTAssertTrue(strict.contains { $0.id == "dense-blowup" && $0.severity == .error })
        XCTAssertFalse(Linter(disabled: ["dense-blowup"]).lint(model, context: flowersContext).contains { $0.id == "dense-blowup" })
        // `# lint: disable=dense-blowup` on the dense layer's line (line 9 of the fake source).
        let denseStart = model.layers[7].decl.range.start
        model.file.comments = [Comment(text: " lint: disable=dense-blowup, depth", range: SourceRange(denseStart + 3, denseStart + 4))]
        let silenced = Linter().lint(model, context: flowersContext)
        XCTAssertFalse(silenced.contains { $0.id == "dense-blowup" })
        XCTAssertTrue(silenced.contains { $0.id == "param-budget" }, "only the named rules are silenced on that line")
    }
}
