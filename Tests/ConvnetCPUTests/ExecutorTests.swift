import Foundation
import XCTest
import ConvnetIR
import ConvnetKernels
@testable import ConvnetCPU
#if canImport(Glibc)
import Glibc
#endif

/// Properties of the executable itself: determinism, no allocation per run, the epilogue
/// fusion, profiles, buffer plans.
final class ExecutorTests: XCTestCase {
    func trainingProgram() throws -> IRProgram {
        try IRBuilder.trainingStep(everyLayerModel(), batch: 4, optimizer: .adam(learningRate: 0.001))
    }

    func testRepeatedRunsAreBitIdentical() throws {
        let program = try trainingProgram()
        let a = try CPUCompiler().compile(program), b = try CPUCompiler().compile(program)
        feed([a, b])
        try a.run()
        let first = program.graph.outputs.map { Array(a.floats(output: $0.name)) }
        try a.run()
        try b.run()
        for (o, values) in zip(program.graph.outputs, first) {
            XCTAssertEqual(Array(a.floats(output: o.name)), values, "second run of \(o.name)")
            XCTAssertEqual(Array(b.floats(output: o.name)), values, "another executable, \(o.name)")
        }
    }

    /// Resident bytes of this process, from /proc/self/statm.
    func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testRunsDoNotAllocate() throws {
        let program = try IRBuilder.trainingStep(gapModel(), batch: 64, optimizer: .adam(learningRate: 0.001))
        let cpu = try CPUCompiler().compileCPU(program)
        feed([cpu])
        let loss = cpu.floats(output: IRProgram.Names.loss).baseAddress
        let owned = cpu.ownedBytes
        try cpu.run()  // touches every page and warms up the thread pool
        let before = residentBytes()
        for step in 2...4 {
            cpu.setScalar(IRProgram.Names.step, Float(step))
            try cpu.run()
            cpu.feedBack()
        }
        let after = residentBytes()
        XCTAssertLessThan(after - before, 512 * 1024, "resident memory grew by \(after - before) bytes")
        XCTAssertEqual(cpu.ownedBytes, owned, "no storage added after compilation")
        XCTAssertGreaterThanOrEqual(owned, cpu.planBytes + cpu.scratchBytes)
        XCTAssertEqual(cpu.floats(output: IRProgram.Names.loss).baseAddress, loss, "outputs stay in place")
    }

    /// The CPU pipeline's fusions and plan remove steps: each conv + bias + relu (and the pool
    /// after it) and the dense matmul + bias run as one step each, named after the fusion.
    func testPlannedFusionsRemoveSteps() throws {
        let program = try IRBuilder.inference(gapModel(), batch: 2)
        let plain = try CPUCompiler(optimize: false).compileCPU(program)
        let fused = try CPUCompiler().compileOptimized(program)
        XCTAssertLessThan(fused.stepCount, plain.stepCount)
        fused.profiling = true
        try fused.run()
        XCTAssertEqual(fused.profile.map(\.op).filter { $0.hasPrefix("fusion.") },
                       ["fusion.conv_bias_relu_max_pool", "fusion.conv_bias_relu", "fusion.matmul_bias"])
        XCTAssertEqual(fused.profile.first?.layer, "conv2d")
        XCTAssertTrue(fused.profileTable().contains("fusion.conv_bias_relu"), fused.profileTable())
    }

    func testNaivePlanAliasesReshapes() {
        var g = Graph()
        let x = g.input("x", .f32([2, 3, 4]), role: .data)
        let r = g.emit(.reshape, [x], declared: .f32([6, 4]))
        let y = g.emit(.activation(.relu), [r])
        g.outputs = [GraphOutput(name: "y", value: y)]
        let plan = NaiveBufferPlan(g)
        XCTAssertEqual(plan.byteOffset(of: x), plan.byteOffset(of: r))
        XCTAssertNotEqual(plan.byteOffset(of: y), plan.byteOffset(of: x))
        XCTAssertEqual(plan.arenaBytes, 2 * 128)
        XCTAssertEqual(plan.byteOffset(of: y)! % NaiveBufferPlan.alignment, 0)
    }

    /// A plan from outside (the optimizer's) places values where it likes; results do not change.
    func testCustomBufferPlan() throws {
        struct Reversed: BufferPlan {
            let inner: NaiveBufferPlan
            var arenaBytes: Int { inner.arenaBytes }
            func byteOffset(of value: ValueID) -> Int? {
                value.raw % 3 == 0 ? nil : inner.byteOffset(of: value)
            }
        }
        let program = try trainingProgram()
        let a = try CPUCompiler().compileCPU(program, plan: Reversed(inner: NaiveBufferPlan(program.graph)))
        let b = try CPUCompiler().compileCPU(program)
        feed([a, b])
        try a.run()
        try b.run()
        for o in program.graph.outputs {
            XCTAssertEqual(Array(a.floats(output: o.name)), Array(b.floats(output: o.name)), o.name)
        }
    }

    /// Small bands (many per image) and one or two BLAS threads (image halves run concurrently
    /// or in turn) give the same bits, and match the reference.
    func testBandsAndThreadsDoNotChangeResults() throws {
        let program = try trainingProgram()
        let saved = BLASInfo.threadCount
        defer { BLASInfo.setThreadCount(saved) }
        var results: [[[Float]]] = []
        for (threads, budget) in [(1, 40), (2, 40), (1, 1 << 18)] {
            BLASInfo.setThreadCount(threads)
            let cpu = try CPUCompiler(convScratchFloats: budget, blasThreads: nil).compile(program)
            XCTAssertEqual(BLASInfo.threadCount, threads)
            feed([cpu])
            try cpu.run()
            results.append(program.graph.outputs.map { Array(cpu.floats(output: $0.name)) })
        }
        XCTAssertEqual(results[0], results[1], "1 vs 2 BLAS threads")
        // The default compiler sets one BLAS thread when it runs.
        BLASInfo.setThreadCount(2)
        let cpu = try CPUCompiler().compile(program)
        feed([cpu])
        try cpu.run()
        XCTAssertEqual(BLASInfo.threadCount, 1)
        let reference = ReferenceExecutable(program)
        feed([reference])
        try reference.run()
        for (i, o) in program.graph.outputs.enumerated() {
            let expected = reference.floats(output: o.name)
            for r in results {
                let scale = max(expected.map(abs).max() ?? 0, 1e-6)
                let worst = zip(r[i], expected).map { abs($0 - $1) / scale }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1e-4, o.name)
            }
        }
    }

    /// A rewritten graph (as the optimizer makes) runs in place of the program's own; the
    /// executable still reports the program as built.
    func testRunsARewrittenGraph() throws {
        let program = try IRBuilder.inference(gapModel(), batch: 2)
        var rewritten = program.graph
        let i = try XCTUnwrap(rewritten.instructions.firstIndex { $0.op == .activation(.relu) })
        var body = Graph()
        let arg = body.input("arg0", rewritten.instructions[i].type, role: .argument)
        body.outputs = [GraphOutput(name: "result", value: body.emit(.activation(.relu), [arg]))]
        rewritten.instructions[i].op = .fusion(kind: .loop, body: body)
        let cpu = try CPUCompiler().compileCPU(program, graph: rewritten)
        XCTAssertEqual(cpu.program, program)
        let reference = ReferenceExecutable(program)
        feed([cpu, reference])
        cpu.profiling = true
        try cpu.run()
        try reference.run()
        XCTAssertLessThanOrEqual(maxRelativeError(cpu.floats(output: "probabilities"),
                                                  reference.floats(output: "probabilities")), 1e-5)
        XCTAssertTrue(cpu.profile.contains { $0.op == "fusion.loop" }, "\(cpu.profile.map(\.op))")

        var broken = program.graph
        broken.outputs = []
        XCTAssertThrowsError(try CPUCompiler().compileCPU(program, graph: broken)) {
            XCTAssertEqual("\($0)", "the executed graph has no output probabilities")
        }
    }
}
