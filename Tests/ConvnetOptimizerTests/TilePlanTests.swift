import XCTest
@testable import ConvnetOptimizer

/// The cost model against SCALE-Sim v2's own regression figures (references.md §5).
final class TilePlanTests: XCTestCase {
    /// AlexNet conv1 on a 32x32 weight-stationary array: S_R = 363, S_C = 96, T = 3025.
    func testAlexNetConv1MatchesScaleSim() {
        let plan = TilePlan.weightStationary(m: 3025, k: 363, n: 96, array: MXUShape(rows: 32, cols: 32))
        XCTAssertEqual(plan.rowFolds, 12)
        XCTAssertEqual(plan.colFolds, 3)
        XCTAssertEqual(plan.folds, 36)
        XCTAssertEqual(plan.cycles, 112_283)
        XCTAssertEqual(plan.cycles, 36 * 3119 - 1)
        XCTAssertEqual(plan.utilization * 100, 91.683, accuracy: 0.0005)
        XCTAssertEqual(plan.mappingEfficiency * 100, 94.53125, accuracy: 1e-9)
        XCTAssertEqual(plan.paddedK, 384)
        XCTAssertEqual(plan.paddedN, 96)
        XCTAssertEqual(plan.paddedM, 3025)
    }

    /// The solution notebook's second conv (3x3x16 -> 30 on 192x192, batch 1) on the TPU v2 MXU.
    func testConvOnDefaultMXUPadsKAndN() {
        let plan = TilePlan.weightStationary(m: 192 * 192, k: 144, n: 30)
        XCTAssertEqual(plan.array, MXUShape(rows: 128, cols: 128))
        XCTAssertEqual(plan.rowFolds, 2)
        XCTAssertEqual(plan.colFolds, 1)
        XCTAssertEqual(plan.paddedK, 256)
        XCTAssertEqual(plan.paddedN, 128)
        XCTAssertEqual(plan.cycles, 2 * (256 + 128 + 36864 - 2) - 1)
        XCTAssertEqual(plan.mappingEfficiency, 144.0 * 30 / (2 * 128 * 128), accuracy: 1e-12)
        XCTAssertEqual(plan.utilization, Double(36864 * 144 * 30) / Double(128 * 128 * plan.cycles),
                       accuracy: 1e-12)
        XCTAssertEqual(plan.description,
                       "ws tile=128x128 folds=2x1 pad=K:144->256,N:30->128 cycles=74491 map=13.2% util=13.0%")
    }

    /// A matmul that fills the array exactly has mapping efficiency 1 and utilisation below 1
    /// only by the fill and drain cycles.
    func testExactFitHasFullMapping() {
        let plan = TilePlan.weightStationary(m: 1000, k: 128, n: 128)
        XCTAssertEqual(plan.folds, 1)
        XCTAssertEqual(plan.mappingEfficiency, 1)
        XCTAssertEqual(plan.cycles, 2 * 128 + 128 + 1000 - 2 - 1)
        XCTAssertLessThan(plan.utilization, 1)
        XCTAssertTrue(plan.description.contains("pad=none"))
    }

    /// Output stationary: M on rows, N on columns, K streamed (references.md §5).
    func testOutputStationaryFormula() {
        let plan = TilePlan.outputStationary(m: 3025, k: 363, n: 96, array: MXUShape(rows: 32, cols: 32))
        XCTAssertEqual(plan.dataflow, .outputStationary)
        XCTAssertEqual(plan.rowFolds, 95)   // ceil(3025 / 32)
        XCTAssertEqual(plan.colFolds, 3)
        XCTAssertEqual(plan.cycles, 95 * 3 * (32 + 32 + 363 - 2) - 1)
        XCTAssertEqual(plan.paddedM, 95 * 32)
        XCTAssertEqual(plan.paddedK, 363)
        XCTAssertEqual(plan.mappingEfficiency, 3025.0 * 96 / (285 * 1024), accuracy: 1e-12)
    }

    /// Plans are values: equal inputs give equal plans, different arrays give different plans.
    func testPlansAreComparableValues() {
        let a = TilePlan.weightStationary(m: 64, k: 27, n: 16)
        let b = TilePlan.weightStationary(m: 64, k: 27, n: 16)
        let c = TilePlan.weightStationary(m: 64, k: 27, n: 16, array: MXUShape(rows: 8, cols: 8))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(Set([a, b, c]).count, 2)
    }
}
