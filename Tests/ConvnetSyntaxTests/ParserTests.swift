import ConvnetInterface
import XCTest
@testable import ConvnetSyntax

/// The AST produced for every statement form and train key.
final class ParserTests: XCTestCase {
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ModelFile {
        let result = Parser.parse(SourceFile(path: "t.convnet", text: text))
        XCTAssertEqual(result.diagnostics.map(\.message), [], file: file, line: line)
        return result.file
    }

    private func kinds(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [LayerKind] {
        parse(text, file: file, line: line).layers.map(\.kind)
    }

    func testInput() {
        let file = parse("input 192x160x3\ngap")
        XCTAssertEqual(file.input, InputDecl(height: 192, width: 160, channels: 3, range: SourceRange(0, 15)))
    }

    func testConvDefaultsAndOptionsInAnyOrder() {
        XCTAssertEqual(kinds("conv 1x1x8"), [.conv(ConvDecl(kernelHeight: 1, kernelWidth: 1, filters: 8))])
        let all = ConvDecl(kernelHeight: 5, kernelWidth: 3, filters: 64, stride: 2, padding: .valid, activation: .relu)
        XCTAssertEqual(kinds("conv 5x3x64 stride 2 padding valid relu"), [.conv(all)])
        XCTAssertEqual(kinds("conv 5x3x64 relu padding valid stride 2"), [.conv(all)])
        XCTAssertEqual(kinds("conv 5x3x64 padding valid relu stride 2"), [.conv(all)])
        XCTAssertEqual(kinds("conv 5 x 3 x 64 padding valid relu stride 2"), [.conv(all)])
    }

    func testEveryActivation() {
        for activation in Activation.allCases {
            XCTAssertEqual(kinds("dense 3 \(activation.rawValue)"), [.dense(DenseDecl(units: 3, activation: activation))])
        }
        XCTAssertEqual(kinds("dense 7"), [.dense(DenseDecl(units: 7, activation: .linear))])
    }

    func testPoolsAndParameterlessLayers() {
        XCTAssertEqual(kinds("maxpool 2; maxpool 3 stride 1; avgpool 2; avgpool 3 stride 2"), [
            .maxPool(PoolDecl(size: 2, stride: 2)), .maxPool(PoolDecl(size: 3, stride: 1)),
            .avgPool(PoolDecl(size: 2, stride: 2)), .avgPool(PoolDecl(size: 3, stride: 2)),
        ])
        XCTAssertEqual(kinds("gap\nflatten\nbatchnorm\ndropout 0.25\ndropout 0"),
                       [.globalAveragePool, .flatten, .batchNorm(BatchNormDecl()), .dropout(rate: 0.25), .dropout(rate: 0)])
    }

    func testLayerRanges() {
        let file = parse("gap\n  conv 3x3x32 relu  # c\ndense 5")
        XCTAssertEqual(file.layers[1].range, SourceRange(6, 22))
        XCTAssertEqual(file.layers[1].keywordRange, SourceRange(6, 10))
        XCTAssertEqual(file.layers[1].activationRange, SourceRange(18, 22))
        XCTAssertNil(file.layers[2].activationRange)
        XCTAssertEqual(file.comments.map(\.text), [" c"])
    }

    func testOneLineModel() {
        XCTAssertEqual(kinds("conv 3x3x32 relu; maxpool 2; gap; dense 5 softmax"), [
            .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 32, activation: .relu)),
            .maxPool(PoolDecl(size: 2)), .globalAveragePool, .dense(DenseDecl(units: 5, activation: .softmax)),
        ])
    }

    func testEveryTrainKey() throws {
        let file = parse("""
            gap
            train {
              data "flowers/jpeg"; validation 0.19
              batch 32
              epochs 20
              optimizer sgd lr 0.01 momentum 0.9
              schedule exponential 0.9
              seed 0
              augment flip
              augment crop
            }
            """)
        let train = try XCTUnwrap(file.train)
        XCTAssertEqual(train.data?.value, "flowers/jpeg")
        XCTAssertEqual(train.validation?.value, 0.19)
        XCTAssertEqual(train.batch?.value, 32)
        XCTAssertEqual(train.epochs?.value, 20)
        XCTAssertEqual(train.optimizer?.value, .sgd(learningRate: 0.01, momentum: 0.9))
        XCTAssertEqual(train.schedule?.value, .exponential(decay: 0.9))
        XCTAssertEqual(train.seed?.value, 0)
        XCTAssertEqual(train.augment.map(\.value), [.flip, .crop])
        XCTAssertEqual(file.source.text(train.data!.range), "\"flowers/jpeg\"")
        XCTAssertEqual(file.source.text(train.range).prefix(7), "train {")
        XCTAssertEqual(file.source.text(train.range).last, "}")
    }

    func testTrainVariants() throws {
        let a = try XCTUnwrap(parse("train { optimizer adam lr 1e-3; schedule cosine; augment flip crop }\ngap").train)
        XCTAssertEqual(a.optimizer?.value, .adam(learningRate: 0.001))
        XCTAssertEqual(a.schedule?.value, .cosine)
        XCTAssertEqual(a.augment.map(\.value), [.flip, .crop])
        XCTAssertEqual(try XCTUnwrap(parse("gap; train { schedule ramp }").train).schedule?.value, .ramp(RampSchedule()))
        XCTAssertEqual(try XCTUnwrap(parse("gap; train { label_smoothing 0.1 }").train).labelSmoothing?.value, 0.1)
        XCTAssertNil(try XCTUnwrap(parse("gap; train { epochs 2 }").train).labelSmoothing)
        XCTAssertEqual(try XCTUnwrap(parse("gap; train { optimizer sgd nesterov lr 0.01 momentum 0.9 }").train).optimizer?.value,
                       .sgd(learningRate: 0.01, momentum: 0.9, nesterov: true))
        XCTAssertEqual(try XCTUnwrap(parse("gap; train { optimizer adamw weight_decay 0.01 lr 1e-3 }").train).optimizer?.value,
                       .adamw(learningRate: 0.001, weightDecay: 0.01))
        XCTAssertEqual(try XCTUnwrap(parse("gap; train { optimizer adamw lr 1e-3 }").train).optimizer?.value,
                       .adamw(learningRate: 0.001, weightDecay: 0.004))
        var ramp = RampSchedule()
        (ramp.start, ramp.max, ramp.min, ramp.rampup, ramp.sustain, ramp.decay) = (1e-4, 2e-3, 0, 3, 2, 0.7)
        let ramped = try XCTUnwrap(parse("gap; train { schedule ramp decay 0.7 sustain 2 max 2e-3 start 1e-4 min 0 rampup 3 }").train)
        XCTAssertEqual(ramped.schedule?.value, .ramp(ramp))
        let recipe = try XCTUnwrap(parse("gap; train { augment saturation 0 2 flip contrast 0.5 1.5e0 brightness 0.25 }").train)
        XCTAssertEqual(recipe.augment.map(\.value), [.saturation(lower: 0, upper: 2), .flip,
                                                     .contrast(lower: 0.5, upper: 1.5), .brightness(delta: 0.25)])
        XCTAssertEqual(recipe.augment.map { $0.range.start }.count, 4)
        let b = try XCTUnwrap(parse("gap\ntrain {\n\n optimizer sgd momentum 0.5 lr 2\n schedule constant\n}").train)
        XCTAssertEqual(b.optimizer?.value, .sgd(learningRate: 2, momentum: 0.5))
        XCTAssertEqual(b.schedule?.value, .constant)
        let c = try XCTUnwrap(parse("gap; train { optimizer sgd lr 0.1 }").train)
        XCTAssertEqual(c.optimizer?.value, .sgd(learningRate: 0.1, momentum: 0))
        XCTAssertEqual(parse("train {}\ngap").train?.batch, nil)
    }

    func testErroneousLayersAreLeftOut() {
        let result = Parser.parse(SourceFile(path: "t", text: "conv 3x3x0 relu\ngap\ndense 5 sofmax\ndense 5 softmax"))
        XCTAssertEqual(result.diagnostics.count, 2)
        XCTAssertEqual(result.file.layers.map(\.kind), [.globalAveragePool, .dense(DenseDecl(units: 5, activation: .softmax))])
    }

    func testRecoveryReportsThreeIndependentErrors() {
        let text = """
            input 192x192x3
            conv 3x3x0 relu
            maxpool 2
            cnov 3x3x16 relu
            gap
            dense 5 sofmax
            """
        let result = Parser.parse(SourceFile(path: "t", text: text))
        XCTAssertEqual(result.diagnostics.map(\.id),
                       ["parse.zero-size", "parse.unknown-layer", "parse.unknown-activation"])
        XCTAssertEqual(result.diagnostics.map { result.file.source.location(of: $0.range!.start).line }, [2, 4, 6])
        XCTAssertEqual(result.file.layers.map(\.kind), [.maxPool(PoolDecl(size: 2)), .globalAveragePool])
    }

    func testNoCascadeAfterLexerErrors() {
        // The lexer reports the stray '%' and malformed number; the parser adds nothing.
        let result = Parser.parse(SourceFile(path: "t", text: "conv 3x3x32% relu\nconv 3x3x16relu\ngap\ndense 2"))
        XCTAssertEqual(result.diagnostics.map(\.id), ["lex.unexpected-character", "lex.malformed-number"])
        XCTAssertEqual(result.file.layers.count, 2)
    }

    func testTenThousandLayers() {
        var text = "input 32x32x3\n"
        for i in 0..<10_000 { text += i % 2 == 0 ? "conv 3x3x8 relu\n" : "batchnorm; dropout 0.1\n" }
        text += "gap\ndense 5 softmax\n"
        let source = SourceFile(path: "big.convnet", text: text)
        let clock = ContinuousClock()
        var result: ParseResult?
        let elapsed = clock.measure { result = Parser.parse(source) }
        print("parsed \(source.bytes.count) bytes, \(result?.file.layers.count ?? 0) layers in \(elapsed)")
        XCTAssertEqual(result?.diagnostics.count, 0)
        XCTAssertEqual(result?.file.layers.count, 15_002)
    }

    func testDeeplyBrokenFileDoesNotOverflowOrCascade() {
        // 10,000 broken statements: one error each, no crash, no extra errors.
        let text = String(repeating: "conv 3x3\n", count: 10_000)
        let result = Parser.parse(SourceFile(path: "t", text: text))
        XCTAssertEqual(result.diagnostics.count, 10_000)
        XCTAssertTrue(result.diagnostics.allSatisfy { $0.id == "parse.expected-number" })
    }

    func testEmptyAndLayerlessFiles() {
        for text in ["", "\n\n", "  # only a comment\n", ";;"] {
            XCTAssertEqual(Parser.parse(SourceFile(path: "t", text: text)).diagnostics.map(\.id), ["parse.empty-file"], text)
        }
        XCTAssertEqual(Parser.parse(SourceFile(path: "t", text: "input 8x8x1\ntrain { epochs 1 }")).diagnostics.map(\.id),
                       ["parse.no-layers"])
        // A file whose only layer is broken gets that error, not "no layers" on top of it.
        XCTAssertEqual(Parser.parse(SourceFile(path: "t", text: "cnov 3x3x8")).diagnostics.map(\.id),
                       ["parse.unknown-layer"])
    }

    func testDuplicateAndMisplacedInput() {
        let twice = Parser.parse(SourceFile(path: "t", text: "input 8x8x1\ninput 4x4x1\ngap"))
        XCTAssertEqual(twice.diagnostics.map(\.id), ["parse.duplicate-input"])
        XCTAssertEqual(twice.diagnostics.first?.notes.first?.range, SourceRange(0, 11))
        XCTAssertEqual(twice.file.input?.height, 8)
        let late = Parser.parse(SourceFile(path: "t", text: "gap\ninput 4x4x1"))
        XCTAssertEqual(late.diagnostics.map(\.id), ["parse.input-after-layer"])
        XCTAssertEqual(late.diagnostics.first?.notes.first?.range, SourceRange(0, 3))
    }

    func testSizeLimits() {
        XCTAssertEqual(kinds("dense 2147483647"), [.dense(DenseDecl(units: 2_147_483_647))])
        let over = Parser.parse(SourceFile(path: "t", text: "dense 2147483648"))
        XCTAssertEqual(over.diagnostics.map(\.id), ["parse.number-too-large"])
        XCTAssertEqual(over.file.layers.count, 0)
    }
}
