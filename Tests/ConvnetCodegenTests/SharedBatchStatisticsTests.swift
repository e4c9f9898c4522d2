@testable import ConvnetCodegen
import ConvnetIR
import ConvnetInterface
import ConvnetOptimizer
import ConvnetTraining
import Foundation
import XCTest

/// What the emitted code of squeezenet.convnet runs per batch norm and per concat: the batch
/// moments and the backward sums computed once per layer and read by the layer's other ops
/// (`SideStorage`), and no copy for a fire module's concat or its gradient's slices (every
/// branch ends in a batch norm, which writes its channel slice in place). Speed is `make
/// bench`'s; this checks the emitted plan that makes it, and NativeEndToEndTests that it is
/// the CPU target's arithmetic bit for bit.
final class SharedBatchStatisticsTests: XCTestCase {
    func testSqueezenetComputesEachLayersStatisticsOnceAndCopiesNoConcat() throws {
        let text = try String(contentsOf: EmitterGoldenTests.repo.appendingPathComponent("samples/squeezenet.convnet"), encoding: .utf8)
        let model = try EmitterGoldenTests.model(text, path: "/samples/squeezenet.convnet", input: [192, 192, 3])
        let files = try NativeTarget.files(model: model, options: TrainingOptions(batch: 2))
        let step = try XCTUnwrap(files["TrainingStep.swift"])
        let layers = model.layers.filter { $0.name.hasPrefix("batch_normalization") }.count
        XCTAssertEqual(layers, 16)

        func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
        // Moments: computed by the first reader (a `batch_norm_training`, which calls
        // `statistics` without `computeMoments: false`), read by every later op of the layer.
        let computing = step.split(separator: "\n").filter {
            $0.contains("BatchStatistics.moments(")
                || ($0.contains("moments: arena.doubles(") && !$0.contains("computeMoments: false"))
        }
        XCTAssertEqual(computing.count, layers, computing.joined(separator: "\n"))
        XCTAssertEqual(count("BatchNorm.gradientSums(", in: step), layers)
        XCTAssertEqual(count("BatchNorm.inputGradient(", in: step), layers)
        XCTAssertEqual(count("Epilogue.biasGradient(", in: step), 1, "only the dense layer's bias sums its gradient itself")

        // Every concat's branches and every slice of its gradient in place: no copy loops.
        for (name, program) in [("TrainingStep.swift", step), ("Inference.swift", try XCTUnwrap(files["Inference.swift"]))] {
            let blocks = program.components(separatedBy: "\n\n")
            let concats = blocks.filter { $0.contains("// concat(") || $0.contains("// channel_slice(") }
            XCTAssertEqual(concats.count, name == "TrainingStep.swift" ? 5 * 3 : 5, name)
            for block in concats {
                XCTAssertFalse(block.contains(".update(from:"), "\(name) copies:\n\(block)")
                XCTAssertTrue(block.contains("in place"), "\(name):\n\(block)")
            }
        }
    }

    /// A plan whose channel view reaches an op that does not take a row stride is refused with
    /// the op named, not emitted as code that would read the wrong floats (the CPU executor's
    /// `checkViews`, ConcatInPlaceTests).
    func testAViewReachingAnOpWithoutAStrideIsRefused() throws {
        let model = try EmitterGoldenTests.model(EmitterGoldenTests.fire, path: "/samples/fire.convnet", input: [16, 16, 3])
        var optimized = try Pipeline.optimize(try IRBuilder.trainingStep(model, batch: 2, optimizer: .adam(learningRate: 0.01)),
                                              for: .native)
        XCTAssertNoThrow(try ProgramEmitter(className: "TrainingStep", optimized: optimized, comments: LayerComments(model: model)).emit())
        // Claim a convolution's output (read by a max pool and others) is a view.
        let conv = try XCTUnwrap(optimized.graph.instructions.first { $0.op.mnemonic.hasPrefix("fusion.conv_bias_relu") })
        optimized.buffers.channelViews[conv.result] = ChannelView(owner: conv.result, channelStart: 0, rowStride: 2 * conv.type.shape[3])
        XCTAssertThrowsError(try ProgramEmitter(className: "TrainingStep", optimized: optimized, comments: LayerComments(model: model)).emit()) {
            XCTAssertTrue("\($0)".contains("cannot write") && "\($0)".contains("as a channel view"), "\($0)")
        }
    }
}
