import Foundation
import XCTest
@testable import ConvnetKernels

/// GFLOP/s of the depthwise kernels on an Xception-like layer (B=32, 48x48x128, 3x3, M=1,
/// stride 1, same) against the naive reference: a measurement, not a check. Skipped unless
/// CONVNETC_KERNEL_BENCH is set; meaningful in a release build:
/// `OPENBLAS_CORETYPE=SkylakeX CONVNETC_KERNEL_BENCH=1 swift test -c release --disable-swift-testing --filter DepthwiseConvBenchmark`.
final class DepthwiseConvBenchmark: XCTestCase {
    func testXceptionLikeLayer() throws {
        guard ProcessInfo.processInfo.environment["CONVNETC_KERNEL_BENCH"] != nil else {
            throw XCTSkip("set CONVNETC_KERNEL_BENCH=1 to measure")
        }
        let g = DepthwiseGeometry(batch: 32, inHeight: 48, inWidth: 48, inChannels: 128, kernelHeight: 3, kernelWidth: 3,
                                  padding: .same)
        let x = Buffer(randomFloats(g.inputCount, seed: 1)), w = Buffer(randomFloats(g.weightCount, seed: 2))
        let b = Buffer(randomFloats(g.outChannels, seed: 3)), dy = Buffer(randomFloats(g.outputCount, seed: 4))
        let y = Buffer(repeating: Float(0), count: g.outputCount), dx = Buffer(repeating: Float(0), count: g.inputCount)
        let dw = Buffer(repeating: Float(0), count: g.weightCount)
        let flops = 2 * Double(g.macs)
        /// Best of `runs` wall-clock times (the machine is shared).
        func best(_ runs: Int, _ body: () -> Void) -> Double {
            var t = Double.infinity
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                t = min(t, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return t
        }
        let forward = best(10) {
            DepthwiseConv.forward(g, input: x.pointer, weights: w.pointer, bias: b.pointer, activation: .relu, output: y.pointer)
        }
        let input = best(10) {
            DepthwiseConv.backwardInput(g, outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer)
        }
        let filter = best(10) {
            DepthwiseConv.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer)
        }
        let reference = best(2) {
            DepthwiseConvReference.forward(g, input: x.pointer, weights: w.pointer, bias: b.pointer, activation: .relu,
                                           output: y.pointer)
        }
        func line(_ name: String, _ t: Double) -> String {
            String(format: "%@: %.2f ms, %.1f GFLOP/s", name, t * 1e3, flops / t / 1e9)
        }
        print("depthwise 3x3, B=32, 48x48x128, M=1, stride 1, same (\(Parallel.workers) workers):")
        print("  " + line("forward (bias + relu)", forward))
        print("  " + line("input gradient", input))
        print("  " + line("filter gradient", filter))
        print("  " + line("reference forward", reference) + String(format: " (fast forward %.0fx)", reference / forward))
    }
}
