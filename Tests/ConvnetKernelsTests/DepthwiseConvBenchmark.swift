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
        /// Best of `runs` wall-clock and process CPU times: the machine is shared, and CPU time
        /// (all threads) is the figure the other workers disturb least.
        func best(_ runs: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
            var wall = Double.infinity, cpu = Double.infinity
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
                body()
                wall = min(wall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                cpu = min(cpu, processCPUSeconds() - cpuStart)
            }
            return (wall, cpu)
        }
        // What memory allows: a copy of x (the forward pass reads x and writes y, as many bytes).
        let copy = best(10) { memcpy(y.pointer, x.pointer, g.inputCount * 4) }
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
        func line(_ name: String, _ t: (wall: Double, cpu: Double)) -> String {
            String(format: "%@: %.2f ms, %.1f GFLOP/s wall; %.2f ms CPU, %.1f GFLOP per CPU-second",
                   name, t.wall * 1e3, flops / t.wall / 1e9, t.cpu * 1e3, flops / t.cpu / 1e9)
        }
        print("depthwise 3x3, B=32, 48x48x128, M=1, stride 1, same (\(Parallel.workers) workers):")
        print(String(format: "  memcpy of x (%.1f MB): %.2f ms, %.1f GB/s read + written", Double(g.inputCount * 4) / 1e6,
                     copy.wall * 1e3, Double(g.inputCount * 8) / copy.wall / 1e9))
        print("  " + line("forward (bias + relu)", forward))
        print("  " + line("input gradient", input))
        print("  " + line("filter gradient", filter))
        print("  " + line("reference forward", reference) + String(format: " (fast forward %.0fx)", reference.wall / forward.wall))
    }
}

/// CPU seconds used by every thread of this process so far.
private func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
