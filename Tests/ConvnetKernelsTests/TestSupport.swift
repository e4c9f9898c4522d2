import XCTest
@testable import ConvnetKernels

/// A heap buffer with a stable address, so tests can hand kernels raw pointers without nesting
/// `withUnsafe...` closures.
final class Buffer<T> {
    let pointer: UnsafeMutablePointer<T>
    let count: Int

    init(_ values: [T]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(from: values, count: count)
    }

    init(repeating value: T, count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: count)
    }

    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    var mutableBuffer: UnsafeMutableBufferPointer<T> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    deinit { pointer.deinitialize(count: count); pointer.deallocate() }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomFloats(_ count: Int, seed: UInt64, range: ClosedRange<Float> = -1...1) -> [Float] {
    var rng = SeededRandom(seed)
    return (0..<count).map { _ in Float.random(in: range, using: &rng) }
}

func randomLabels(_ count: Int, classes: Int, seed: UInt64) -> [Int32] {
    var rng = SeededRandom(seed)
    return (0..<count).map { _ in Int32.random(in: 0..<Int32(classes), using: &rng) }
}

/// Fails when max |actual - expected| exceeds `tolerance` times the largest |expected| (or the
/// absolute floor), i.e. a normwise relative error.
func assertClose<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(
    _ actual: [A], _ expected: [B], tolerance: Double = 1e-4, floor: Double = 1e-6,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "count " + message(), file: file, line: line)
    guard actual.count == expected.count else { return }
    var worst = 0.0, scale = floor, worstIndex = 0
    for i in actual.indices {
        let d = abs(Double(actual[i]) - Double(expected[i]))
        if d > worst { worst = d; worstIndex = i }
        scale = max(scale, abs(Double(expected[i])))
    }
    if worst > tolerance * scale {
        XCTFail("max error \(worst) at \(worstIndex) (actual \(Double(actual[worstIndex])), expected "
                + "\(Double(expected[worstIndex]))) exceeds \(tolerance) x \(scale) " + message(), file: file, line: line)
    }
}

/// Central finite differences in Float64 of a scalar function of `x`.
func numericGradient(_ x: [Double], step: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var x = x
    return x.indices.map { i in
        let saved = x[i]
        x[i] = saved + step
        let up = f(x)
        x[i] = saved - step
        let down = f(x)
        x[i] = saved
        return (up - down) / (2 * step)
    }
}

func toDouble(_ v: [Float]) -> [Double] { v.map(Double.init) }

/// sum_i a_i b_i in Float64.
func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
