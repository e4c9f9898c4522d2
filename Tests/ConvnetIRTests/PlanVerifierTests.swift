import XCTest
import ConvnetSyntax
@testable import ConvnetIR

/// The verifier rejects wrong kernel plans with a message, so a backend never receives one.
final class PlanVerifierTests: XCTestCase {
    /// `conv_bias_relu[_max_pool](x (2,8,8,3), w (K,K,3,4), b)` with `kernel`, its pool (if any)
    /// the second result.
    private func convFusion(window k: Int, stride: Int = 1, kernel: ConvAlgorithm?, pool: PoolAttributes? = nil,
                            poolReads wrongValue: Bool = false) -> Graph {
        let c = ConvAttributes(kernelHeight: k, kernelWidth: k, stride: stride)
        var body = Graph()
        let bx = body.input("arg0", .f32([2, 8, 8, 3]), role: .argument)
        let bw = body.input("arg1", .f32([k, k, 3, 4]), role: .argument)
        let bb = body.input("arg2", .f32([4]), role: .argument)
        let conv = body.emit(.conv2d(c), [bx, bw])
        let pre = body.emit(.biasAdd, [conv, bb])
        let y = body.emit(.activation(.relu), [pre])
        body.outputs = [GraphOutput(name: "result", value: y)]
        let outType = body.type(of: y)!
        var extra: [ExtraResult] = []
        if let pool {
            let pooled = body.emit(.maxPool(pool), [wrongValue ? pre : y])
            body.outputs.append(GraphOutput(name: "max_pool", value: pooled))
            extra = [ExtraResult(value: ValueID(100), type: body.type(of: pooled)!)]
        }
        var g = Graph()
        let x = g.input("images", .f32([2, 8, 8, 3]), role: .data)
        let w = g.input("w", .f32([k, k, 3, 4]), role: .parameter)
        let b = g.input("b", .f32([4]), role: .parameter)
        let r = g.newValue()
        g.instructions.append(Instruction(result: r, op: .fusion(kind: .conv(c, bias: true, activation: .relu, pool: pool), body: body),
                                          operands: [x, w, b], type: outType, layer: "conv2d", extraResults: extra,
                                          kernel: kernel.map { KernelPlan(convolution: $0) }))
        g.outputs = [GraphOutput(name: "y", value: r)] + extra.map { GraphOutput(name: "pooled", value: $0.value) }
        return g
    }

    private func messages(_ g: Graph) -> [String] { Verifier.verifyPlanned(g).map(\.message) }

    func testSoundPlansPass() {
        XCTAssertEqual(messages(convFusion(window: 3, kernel: .winograd)), [])
        XCTAssertEqual(messages(convFusion(window: 5, kernel: .direct)), [])
        XCTAssertEqual(messages(convFusion(window: 1, kernel: .gemm)), [])
        XCTAssertEqual(messages(convFusion(window: 3, stride: 2, kernel: .im2colGemm)), [])
        XCTAssertEqual(messages(convFusion(window: 3, kernel: .direct, pool: PoolAttributes(size: 2, stride: 2))), [])
        let printed = Printer().print(convFusion(window: 3, kernel: .winograd, pool: PoolAttributes(size: 2, stride: 2)))
        XCTAssertTrue(printed.contains("%3, %100 = fusion.conv_bias_relu_max_pool(%images, %w, %b) window=3x3 stride=1 pad=same "
                                       + "pool=2x2/2 kernel=winograd : f32[2,8,8,4], f32[2,4,4,4]"), printed)
    }

    func testWinogradOnAFiveByFiveWindowIsRejected() {
        let errors = Verifier.verify(convFusion(window: 5, kernel: .winograd))
        XCTAssertEqual(errors.map(\.id), ["ir.plan"])
        XCTAssertTrue(errors[0].message.contains("kernel=winograd cannot compute a 5x5 window at stride 1"), errors[0].message)
    }

    func testDirectKernelsAtStrideTwoAndGemmOnAWindowAreRejected() {
        XCTAssertEqual(Verifier.verify(convFusion(window: 3, stride: 2, kernel: .direct)).map(\.id), ["ir.plan"])
        XCTAssertEqual(Verifier.verify(convFusion(window: 3, stride: 2, kernel: .mxuDirect)).map(\.id), ["ir.plan"])
        XCTAssertEqual(Verifier.verify(convFusion(window: 3, kernel: .gemm)).map(\.id), ["ir.plan"])
    }

    func testPoolInConvolutionMustPoolThatConvolutionsResult() {
        let g = convFusion(window: 3, kernel: .direct, pool: PoolAttributes(size: 2, stride: 2), poolReads: true)
        let errors = Verifier.verify(g)
        XCTAssertEqual(errors.map(\.id), ["ir.plan"])
        XCTAssertTrue(errors[0].message.contains("the pool in the convolution must be the max_pool of the convolution's own result"),
                      errors[0].message)
    }

    func testAMissingDecisionIsRejectedOncePlanned() {
        let g = convFusion(window: 3, kernel: nil)
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        XCTAssertEqual(Verifier.verifyPlanned(g).map(\.id), ["ir.unplanned"])
    }

    func testReluBackwardInKernelNeedsItsFusion() {
        var g = convFusion(window: 3, kernel: .direct)
        g.instructions[g.instructions.count - 1].kernel?.reluBackwardInKernel = true
        XCTAssertTrue(messages(g).contains { $0.contains("relu_backward=in_kernel needs a conv_input_grad_relu_grad_bias_grad fusion") })
    }

    func testResultCountMustMatchTheBody() {
        var g = convFusion(window: 3, kernel: .direct, pool: PoolAttributes(size: 2, stride: 2))
        g.instructions[g.instructions.count - 1].extraResults = []
        g.outputs.removeLast()
        XCTAssertTrue(Verifier.verify(g).map(\.id).contains("ir.result-count"))
    }
}
