import ConvnetInterface
import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetNativeRuntime

/// A native binary checks its arena against the memory available before allocating it (the
/// arena is zeroed, which touches every page): a program too large for the machine is refused
/// with the figure and a batch to emit it again with, not killed by the kernel. The programs
/// here are stand-ins holding only an arena, so no test allocates more than a few bytes.
final class NativeMemoryTests: XCTestCase {
    final class ArenaProgram: CompiledProgram {
        let interface = ProgramInterface(kind: .inference, batch: 8, parameters: [], optimizerSlots: [], inputs: [], outputs: [])
        let arena: NativeArena
        init(bytes: Int) { arena = NativeArena(bytes: bytes, scratchFloats: 0, sideBytes: 0) }
        func floats(input name: String) -> UnsafeMutableBufferPointer<Float> { arena.f32(0, count: 1) }
        func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32> { arena.i32(0, count: 1) }
        func floats(output name: String) -> UnsafeBufferPointer<Float> { UnsafeBufferPointer(arena.f32(0, count: 1)) }
        func run() {}
    }

    func compiler(trainingBytes: Int, inferenceBytes: Int) -> NativeModelCompiler {
        let model = ModelDescription(path: "m.convnet", inputShape: InputShape(height: 4, width: 4, channels: 1), classCount: 2,
                                     train: TrainDefaults(), parameters: [], hash: "0")
        return NativeModelCompiler(model: model, batch: 8, optimizer: .adam(learningRate: 0.001),
                                   makeTraining: { ArenaProgram(bytes: trainingBytes) },
                                   makeInference: { ArenaProgram(bytes: inferenceBytes) })
    }

    /// 64 TiB: larger than any machine, and never allocated.
    static let huge = 1 << 46

    func testAnArenaLargerThanTheMachineIsRefusedBeforeItIsAllocated() throws {
        let c = compiler(trainingBytes: Self.huge, inferenceBytes: 1 << 20)
        XCTAssertThrowsError(try c.trainingStep(batch: 8, optimizer: .adam(learningRate: 0.01))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("error: the native training step at batch 8 needs 64.0 TiB but only "), text)
            XCTAssertTrue(text.contains("of memory is available\nhelp: even one image does not fit"), text)
        }
        // Nothing stays reserved by the refused program, and a program that fits is built.
        let inference = try c.inference(batch: 8) as? ArenaProgram
        XCTAssertNotNil(inference)
        XCTAssertEqual(inference?.arena.f32(0, count: 1)[0], 0)
    }

    /// Within the limit's reach, the advice is a batch that fits, to emit the binary again with.
    func testTheAdviceIsABatchToEmitAgainWith() throws {
        setenv("CONVNETC_MEMORY_LIMIT", String(64 << 20), 1)
        defer { unsetenv("CONVNETC_MEMORY_LIMIT") }
        let c = compiler(trainingBytes: 1 << 20, inferenceBytes: (256 << 20) - 128)  // with the side block and scratch: just under 256 MiB
        XCTAssertNoThrow(try c.trainingStep(batch: 8, optimizer: .adam(learningRate: 0.01)))
        XCTAssertThrowsError(try c.inference(batch: 8)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("error: the native inference program at batch 8 needs 256.0 MiB but only 64.0 MiB"), text)
            XCTAssertTrue(text.hasSuffix("help: this binary was emitted for batch 8: emit it again with --batch 2 or less "
                                         + "(memory grows with the batch)"), text)
        }
    }
}
