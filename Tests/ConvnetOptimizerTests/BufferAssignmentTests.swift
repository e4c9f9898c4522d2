import XCTest
import ConvnetIR
@testable import ConvnetOptimizer

final class BufferAssignmentTests: XCTestCase {
    /// No two buffers that are live at the same time overlap in the arena: checked pair by pair.
    func assertNoOverlap(_ b: BufferAssignment, file: StaticString = #filePath, line: UInt = #line) {
        for (i, x) in b.intervals.enumerated() {
            let sx = b.slots[x.value]!
            XCTAssertEqual(sx.offset % BufferAssignment.alignment, 0, file: file, line: line)
            XCTAssertLessThanOrEqual(sx.offset + sx.bytes, b.arenaBytes, file: file, line: line)
            for y in b.intervals[(i + 1)...] where x.overlaps(y) {
                let sy = b.slots[y.value]!
                let disjoint = sx.offset + sx.bytes <= sy.offset || sy.offset + sy.bytes <= sx.offset
                XCTAssertTrue(disjoint, "\(x.value) [\(x.start),\(x.end)] and \(y.value) [\(y.start),\(y.end)] overlap",
                              file: file, line: line)
            }
        }
    }

    /// flowers.convnet's training step at batch 32 (peak vs naive reported in the lead's report).
    func testFlowersTrainingStepHasNoOverlapsAndSharesMemory() throws {
        let model = try sampleModel("flowers")
        let optimized = try Pipeline.optimize(try IRBuilder.trainingStep(model, batch: 32, optimizer: model.train.optimizer), for: .tpu)
        let b = optimized.buffers
        assertNoOverlap(b)
        // Every top-level value has a slot; reshapes share their operand's.
        for inst in optimized.graph.instructions {
            for d in inst.definitions { XCTAssertNotNil(b.slots[d.value], "\(d.value)") }
        }
        for (view, owner) in b.aliases { XCTAssertEqual(b.slots[view]!.offset, b.slots[owner]!.offset) }
        XCTAssertGreaterThanOrEqual(b.arenaBytes, b.liveLowerBound)
        // (The naive figure no longer counts im2col matrices: they are inside the convolution
        // fusions' bodies, scratch the CPU executor never allocates.)
        XCTAssertLessThan(b.arenaBytes, b.naiveBytes * 3 / 5)
        // Each fusion's scratch: no overlaps either, arguments and result left out.
        XCTAssertEqual(b.fusionScratch.count, optimized.graph.instructions.filter { $0.op.mnemonic.hasPrefix("fusion.") }.count)
        for inst in optimized.graph.instructions {
            guard case .fusion(_, let body) = inst.op, let scratch = b.fusionScratch[inst.result] else { continue }
            assertNoOverlap(scratch)
            for arg in body.inputs { XCTAssertNil(scratch.slots[arg.result]) }
            for out in body.outputs { XCTAssertNil(scratch.slots[out.value]) }
        }
        // conv2d_1's forward body: im2col (M,K) and the matmul's (M,N) are live together; the
        // bias_add result reuses the im2col space.
        let conv1 = try XCTUnwrap(optimized.graph.instructions.first { $0.layer == "conv2d_1" && $0.op.mnemonic == "fusion.conv_bias_relu_max_pool" })
        let m = 32 * 192 * 192
        XCTAssertEqual(b.fusionScratch[conv1.result]!.arenaBytes, 4 * m * (144 + 30))
        XCTAssertEqual(b.scratchBytes, 4 * m * (144 + 30))
    }

    /// Inputs and outputs are pinned; a chain of temporaries reuses memory.
    func testChainReusesAndPinsInputsAndOutputs() {
        var g = Graph()
        let x = g.input("x", .f32([16]), role: .data)  // 64 bytes each
        let a = g.emit(.unary(.exp), [x])
        let b = g.emit(.unary(.neg), [a])
        let early = g.emit(.unary(.sqrt), [b])        // an output defined early
        let c = g.emit(.unary(.exp), [b])
        let d = g.emit(.unary(.neg), [c])
        let e = g.emit(.unary(.log), [d])
        g.outputs = [GraphOutput(name: "early", value: early), GraphOutput(name: "e", value: e)]
        let assignment = BufferAssignment.assign(g)
        assertNoOverlap(assignment)
        XCTAssertEqual(assignment.naiveBytes, 7 * 64)
        // x and early live throughout, plus two temporaries at a time.
        XCTAssertEqual(assignment.arenaBytes, 4 * 64)
        let pinned = Set(assignment.intervals.filter(\.pinned).map(\.value))
        XCTAssertEqual(pinned, [x, early, e])
        let offsets = [a, b, c, d].map { assignment.slots[$0]!.offset }
        XCTAssertLessThan(Set(offsets).count, 4)
        XCTAssertFalse(offsets.contains(assignment.slots[x]!.offset))
        // c and d are computed while `early` is live (it is an output), so never in its slot.
        XCTAssertFalse([c, d].map { assignment.slots[$0]!.offset }.contains(assignment.slots[early]!.offset))
    }

    /// The overlap check itself can fail.
    func testOverlapCheckDetectsACollision() {
        var g = Graph()
        let x = g.input("x", .f32([16]), role: .data)
        let y = g.emit(.unary(.exp), [x])
        g.outputs = [GraphOutput(name: "y", value: y)]
        var assignment = BufferAssignment.assign(g)
        assignment.slots[y]!.offset = assignment.slots[x]!.offset
        let sx = assignment.slots[x]!, sy = assignment.slots[y]!
        XCTAssertFalse(sx.offset + sx.bytes <= sy.offset || sy.offset + sy.bytes <= sx.offset)
    }
}
