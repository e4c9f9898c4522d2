import XCTest
@testable import ConvnetKernels

final class ConvGeometryTests: XCTestCase {
    func testSamePaddingFollowsTensorFlow() {
        // ceil(5/2) = 3 rows; total pad = (3-1)*2 + 3 - 5 = 2 -> 1 top, 1 bottom.
        var a = ConvGeometry.axis(5, 3, 2, .same)
        XCTAssertEqual(a.out, 3); XCTAssertEqual(a.before, 1); XCTAssertEqual(a.after, 1)
        // ceil(6/2) = 3; total = 4 + 3 - 6 = 1 -> 0 top, 1 bottom (the odd row goes last).
        a = ConvGeometry.axis(6, 3, 2, .same)
        XCTAssertEqual(a.out, 3); XCTAssertEqual(a.before, 0); XCTAssertEqual(a.after, 1)
        // 192, 3x3, stride 1: 1 each side.
        a = ConvGeometry.axis(192, 3, 1, .same)
        XCTAssertEqual(a.out, 192); XCTAssertEqual(a.before, 1); XCTAssertEqual(a.after, 1)
        // 1x1 stride 2 on 7: ceil = 4, total = 3*2 + 1 - 7 = 0.
        a = ConvGeometry.axis(7, 1, 2, .same)
        XCTAssertEqual(a.out, 4); XCTAssertEqual(a.before, 0)
        // 5x5 stride 3 on 10: ceil = 4, total = 9 + 5 - 10 = 4 -> 2, 2.
        a = ConvGeometry.axis(10, 5, 3, .same)
        XCTAssertEqual(a.out, 4); XCTAssertEqual(a.before, 2); XCTAssertEqual(a.after, 2)
    }

    func testValidPaddingFloors() {
        let a = ConvGeometry.axis(7, 3, 2, .valid)
        XCTAssertEqual(a.out, 3); XCTAssertEqual(a.before, 0)
        XCTAssertEqual(ConvGeometry.axis(8, 5, 1, .valid).out, 4)
    }

    func testCountsOfTheSolutionNotebooksSecondConv() {
        let g = ConvGeometry(batch: 1, inHeight: 192, inWidth: 192, inChannels: 16,
                             kernelHeight: 3, kernelWidth: 3, filters: 30, padding: .same)
        XCTAssertEqual(g.outHeight, 192)
        XCTAssertEqual(g.weightCount + 30, 4_350)   // Keras' parameter count for conv2d_1
        XCTAssertEqual(g.patchSize, 144)
        XCTAssertEqual(g.macs, 192 * 192 * 144 * 30)
        XCTAssertFalse(g.isPointwise)
        XCTAssertTrue(ConvGeometry(batch: 1, inHeight: 4, inWidth: 4, inChannels: 2, kernelHeight: 1,
                                   kernelWidth: 1, filters: 3, padding: .same).isPointwise)
    }

    func testNonSquareStride() {
        let g = ConvGeometry(batch: 2, inHeight: 9, inWidth: 6, inChannels: 1, kernelHeight: 3, kernelWidth: 2,
                             filters: 1, strideHeight: 2, strideWidth: 3, padding: .same)
        XCTAssertEqual(g.outHeight, 5); XCTAssertEqual(g.outWidth, 2)
        XCTAssertEqual(g.padTop, 1); XCTAssertEqual(g.padLeft, 0); XCTAssertEqual(g.padRight, 0)
    }
}
