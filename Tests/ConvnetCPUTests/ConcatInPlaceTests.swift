import XCTest
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetCPU

/// Concat without copies (`ChannelViews`): the CPU target's plan writes each batch-normalised
/// branch into its channel slice of the concat's buffer and reads the gradient's slices in
/// place. Its results must be the copying plan's, bit for bit, and a fire module must copy nothing.
final class ConcatInPlaceTests: XCTestCase {
    /// The CPU target with concat operands copied, as before `concatInPlace`.
    static let copying: TargetCapabilities = {
        var target = TargetCapabilities.cpu
        target.concatInPlace = false
        return target
    }()

    /// Two fire modules (squeeze, then 1x1 and 3x3 expands each with a batch norm, concatenated),
    /// the second after a pool; a concat whose operands cannot all be placed (a convolution's
    /// output, the identity branch, a batch norm read twice); and an add after, so the
    /// gradient's slices have every reader kind.
    static let fireModel = """
        input 8x8x3
        conv 3x3x4 relu
        batchnorm momentum 0.9
        block fire(squeeze, expand) {
          conv 1x1x{squeeze} relu
          batchnorm momentum 0.9
          concat {
            branch { conv 1x1x{expand} relu; batchnorm momentum 0.9 }
            branch { conv 3x3x{expand} relu; batchnorm momentum 0.9 }
          }
        }
        fire(3, 4); maxpool 2
        fire(2, 3)
        batchnorm
        concat { branch { conv 1x1x2 relu }; branch { }; branch { conv 3x3x3 relu; batchnorm } }
        gap
        dense 3 softmax
        """

    func graphModel(_ text: String) throws -> CheckedModel {
        let parsed = Parser.parse(SourceFile(path: "fire.convnet", text: text))
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        return try XCTUnwrap(sema.model, "\(parsed.diagnostics + sema.diagnostics)")
    }

    /// Runs `program` on both plans from the same inputs, `steps` times (feeding back), and
    /// checks every output is the same bits.
    func assertSameBits(_ program: IRProgram, steps: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let inPlace = try CPUCompiler().compile(program)
        let copied = try CPUCompiler(target: Self.copying).compile(program)
        feed([inPlace, copied])
        for step in 1...steps {
            if program.kind == .trainingStep {
                inPlace.setScalar(IRProgram.Names.step, Float(step))
                copied.setScalar(IRProgram.Names.step, Float(step))
            }
            try inPlace.run()
            try copied.run()
            for output in program.graph.outputs {
                let a = Array(inPlace.floats(output: output.name)), b = Array(copied.floats(output: output.name))
                XCTAssertTrue(a.allSatisfy(\.isFinite), "step \(step) \(output.name)", file: file, line: line)
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "step \(step) \(output.name)", file: file, line: line)
            }
            if program.kind == .trainingStep {
                inPlace.feedBack()
                copied.feedBack()
            }
        }
    }

    func testInPlaceConcatIsBitForBitTheCopyingPlan() throws {
        let m = try graphModel(Self.fireModel)
        try assertSameBits(try IRBuilder.trainingStep(m, batch: 3, optimizer: .adam(learningRate: 0.01)), steps: 2)
        try assertSameBits(try IRBuilder.inference(m, batch: 3), steps: 1)
        for text in ModelTests.branchingModels {
            try assertSameBits(try IRBuilder.trainingStep(try graphModel(text), batch: 2, optimizer: .sgd(learningRate: 0.1, momentum: 0.9)), steps: 2)
        }
    }

    /// The plan places what it can and says so: the fire modules' batch-normalised branches and
    /// their gradient slices are views; the last concat's convolution output, identity branch
    /// and doubly-read batch norm are copied, as are the slices the copied operands' readers take.
    func testPlanPlacesBatchNormBranchesAndCopiesTheRest() throws {
        let m = try graphModel(Self.fireModel)
        let optimized = try Pipeline.optimize(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.01)), for: .cpu)
        let g = optimized.graph, views = optimized.buffers.channelViews
        let concats = g.instructions.filter { if case .concat = $0.op { true } else { false } }
        XCTAssertEqual(concats.count, 3)
        for fire in concats.prefix(2) {
            XCTAssertTrue(fire.operands.allSatisfy { views[$0]?.owner == fire.result }, "\(fire.result)")
            XCTAssertEqual(fire.operands.map { views[$0]?.channelStart }, [0, fire.type.shape[3] / 2])
        }
        XCTAssertEqual(concats[2].operands.map { views[$0] != nil }, [false, false, true])
        let dump = optimized.dump()
        XCTAssertTrue(dump.contains("// concat without copies"), dump)
        XCTAssertTrue(dump.contains("\(concats[2].operands[0]) copied"), dump)
        // The views sit inside their owners' slots, rows the owner's channels apart.
        for (v, view) in views {
            let slot = try XCTUnwrap(optimized.buffers.slots[v]), owner = try XCTUnwrap(optimized.buffers.slots[view.owner])
            XCTAssertEqual(slot.offset, owner.offset + 4 * view.channelStart)
            XCTAssertEqual(view.rowStride, g.type(of: view.owner)?.shape.last)
        }
        // The native plan places the same views (its emitted code writes and reads them with
        // the row strides, `OpEmitter`); the TPU plan places nothing.
        let native = try Pipeline.optimize(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.01)), for: .native)
        XCTAssertEqual(native.buffers.channelViews, views)
        XCTAssertTrue(native.dump().contains("// concat without copies"))
        let tpu = try Pipeline.optimize(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.01)), for: .tpu)
        XCTAssertTrue(tpu.buffers.channelViews.isEmpty)
        XCTAssertFalse(tpu.dump().contains("// concat without copies"))
    }

    /// squeezenet.convnet's fire modules on the CPU target: no concat and no channel slice step
    /// is left in the training step or the inference program (every branch ends in a batch
    /// norm), and no live value overlaps a concat's buffer while its branches are written.
    func testSqueezenetFireModulesCopyNothing() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/squeezenet.convnet")
        let m = try graphModel(try String(contentsOf: url, encoding: .utf8))
        for program in [try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001)),
                        try IRBuilder.inference(m, batch: 2)] {
            let optimized = try Pipeline.optimize(program, for: .cpu)
            let graph = optimized.graph, b = optimized.buffers
            let placed = graph.instructions.filter {
                if case .concat = $0.op { true } else if case .channelSlice = $0.op { true } else { false }
            }
            XCTAssertFalse(placed.isEmpty)
            for inst in placed {
                if case .concat = inst.op {
                    XCTAssertTrue(inst.operands.allSatisfy { b.channelViews[$0] != nil }, "\(inst.result) copies")
                } else {
                    XCTAssertNotNil(b.channelViews[inst.result], "\(inst.result) copies")
                }
            }
            // Live buffers never overlap (views are their owners' bytes, live as long as either).
            for (i, x) in b.intervals.enumerated() {
                for y in b.intervals[(i + 1)...] where x.overlaps(y) {
                    let sx = b.slots[x.value]!, sy = b.slots[y.value]!
                    XCTAssertTrue(sx.offset + sx.bytes <= sy.offset || sy.offset + sy.bytes <= sx.offset,
                                  "\(x.value) and \(y.value) overlap")
                }
            }
            let exe = try CPUCompiler().compile(optimized)
            let ops = exe.stepOps.map(\.op)
            XCTAssertFalse(ops.contains("concat"), "\(program.kind)")
            XCTAssertFalse(ops.contains("channel_slice"), "\(program.kind)")
        }
    }

    /// A view handed to an op that cannot take a row stride is refused at compile time.
    func testAViewOnlyReachesOpsThatTakeItsStride() throws {
        let m = try graphModel(Self.fireModel)
        let optimized = try Pipeline.optimize(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.01)), for: .cpu)
        var buffers = optimized.buffers
        // Claim a convolution's output (read by a max pool and others) is a view.
        let conv = try XCTUnwrap(optimized.graph.instructions.first { $0.op.mnemonic.hasPrefix("fusion.conv_bias_relu") })
        buffers.channelViews[conv.result] = ChannelView(owner: conv.result, channelStart: 0, rowStride: 2 * conv.type.shape[3])
        XCTAssertThrowsError(try CPUCompiler().compileCPU(optimized.program, graph: optimized.graph, plan: buffers))
    }
}
