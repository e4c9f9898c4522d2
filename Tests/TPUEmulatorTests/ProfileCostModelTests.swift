import XCTest
import ConvnetIR
import ConvnetOptimizer
@testable import TPUEmulator

/// Rows of the cost model on hand-built graphs, with the arithmetic written out.
final class ProfileCostModelTests: XCTestCase {
    let model = TPUCostModel(device: .tpuV2)

    /// x (2,8,8,3) * w (3,3,3,4), same padding -> (2,8,8,4).
    func convGraph() -> Graph {
        var g = Graph()
        let x = g.input("images", .f32([2, 8, 8, 3]), role: .data)
        let w = g.input("conv2d/kernel", .f32([3, 3, 3, 4]), role: .parameter, layer: "conv2d")
        let y = g.emit(.conv2d(ConvAttributes(kernelHeight: 3, kernelWidth: 3)), [x, w], layer: "conv2d")
        g.outputs = [GraphOutput(name: "y", value: y)]
        return g
    }

    func testConvRowIsTheWeightStationaryPlan() {
        let rows = model.profile(convGraph())
        XCTAssertEqual(rows.count, 1, "inputs get no row")
        let r = rows[0]
        XCTAssertEqual(r.op, "conv2d")
        XCTAssertEqual(r.layer, "conv2d")
        // M = B*OH*OW = 128, K = 3*3*3 = 27, N = 4: one fold of 2*128 + 128 + 128 - 2 cycles, minus 1.
        XCTAssertEqual(r.mxuCycles, 509)
        XCTAssertEqual(r.mxuCycles, TilePlan.weightStationary(m: 128, k: 27, n: 4).cycles)
        XCTAssertEqual(r.macs, 128 * 27 * 4)
        XCTAssertEqual(r.mxuUtilization(array: .tpuV2), Double(128 * 27 * 4) / (16384.0 * 509), accuracy: 1e-12)
        XCTAssertEqual(r.vpuCycles, 0)
        // x 384 + w 108 + y 512 floats.
        XCTAssertEqual(r.bytes, 4 * (384 + 108 + 512))
        XCTAssertEqual(r.memoryCycles, 10)  // 4016 B * 700e6 / 300e9 = 9.37
        XCTAssertEqual(r.estimatedCycles, 509)
    }

    func testConvGradientsUseTheLoweringsDimensions() {
        let attrs = ConvAttributes(kernelHeight: 3, kernelWidth: 3)
        var g = Graph()
        let x = g.input("x", .f32([16, 24, 24, 90]), role: .data)
        let dy = g.input("dy", .f32([16, 24, 24, 110]), role: .data)
        let w = g.input("w", .f32([3, 3, 90, 110]), role: .parameter)
        _ = g.emit(.conv2dFilterGrad(attrs), [x, dy], layer: "conv2d_4")
        _ = g.emit(.conv2dInputGrad(attrs), [dy, w], declared: .f32([16, 24, 24, 90]), layer: "conv2d_4")
        let rows = model.profile(g)
        let pixels = 16 * 24 * 24
        // Filter gradient: M = KH*KW*Cin, K = B*OH*OW, N = F.
        XCTAssertEqual(rows[0].plans, [TilePlan.weightStationary(m: 810, k: pixels, n: 110)])
        // Input gradient (dy x W^T, then col2im): M = B*OH*OW, K = F, N = KH*KW*Cin.
        XCTAssertEqual(rows[1].plans, [TilePlan.weightStationary(m: pixels, k: 110, n: 810)])
        XCTAssertEqual(rows[0].macs, rows[1].macs)
    }

    func testVectorRowIsElementsOverLanesAndMemoryBound() {
        var g = Graph()
        let x = g.input("x", .f32([4, 16, 16, 32]), role: .data)  // 32,768 floats
        _ = g.emit(.activation(.relu), [x], layer: "conv2d")
        _ = g.emit(.activation(.sigmoid), [x], layer: "conv2d")
        let rows = model.profile(g)
        XCTAssertEqual(rows.map(\.op), ["relu", "sigmoid"])
        XCTAssertEqual(rows[0].vpuCycles, 32)          // 32,768 * 1 op / 1,024 lanes
        XCTAssertEqual(rows[1].vpuCycles, 32 * 6)      // sigmoid: 6 ops per element
        XCTAssertEqual(rows[0].mxuCycles, 0)
        XCTAssertEqual(rows[0].bytes, 2 * 32_768 * 4)  // read x, write y
        XCTAssertEqual(rows[0].memoryCycles, 612)      // 262,144 B at 300 GB/s, 700 MHz: 611.7
        XCTAssertEqual(rows[0].estimatedCycles, 612)   // HBM bound
        XCTAssertTrue(rows[0].isMemoryBound)
        XCTAssertEqual(rows[0].mxuUtilization(array: .tpuV2), 0)
    }

    func testFusionIsOneRowCostedByItsBody() {
        // fusion.conv_bias_relu(x, w, b) with body conv2d, bias_add, relu.
        var body = Graph()
        let bx = body.input("0", .f32([2, 8, 8, 3]), role: .argument)
        let bw = body.input("1", .f32([3, 3, 3, 4]), role: .argument)
        let bb = body.input("2", .f32([4]), role: .argument)
        let c = body.emit(.conv2d(ConvAttributes(kernelHeight: 3, kernelWidth: 3)), [bx, bw], layer: "conv2d")
        let biased = body.emit(.biasAdd, [c, bb], layer: "conv2d")
        let y = body.emit(.activation(.relu), [biased], layer: "conv2d")
        body.outputs = [GraphOutput(name: "result", value: y)]

        var g = Graph()
        let x = g.input("images", .f32([2, 8, 8, 3]), role: .data)
        let w = g.input("conv2d/kernel", .f32([3, 3, 3, 4]), role: .parameter)
        let b = g.input("conv2d/bias", .f32([4]), role: .parameter)
        let f = g.append(.fusion(kind: .conv(ConvAttributes(kernelHeight: 3, kernelWidth: 3), bias: true, activation: .relu, pool: nil), body: body), [x, w, b], .f32([2, 8, 8, 4]), layer: "conv2d")
        g.outputs = [GraphOutput(name: "y", value: f)]

        let rows = model.profile(g)
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0].op, "fusion.conv_bias_relu")
        XCTAssertEqual(rows[0].layer, "conv2d")
        XCTAssertEqual(rows[0].mxuCycles, TilePlan.weightStationary(m: 128, k: 27, n: 4).cycles)
        XCTAssertEqual(rows[0].vpuCycles, 1)  // (512 bias adds + 512 relus) / 1,024 lanes
        XCTAssertEqual(rows[0].bytes, 4 * (384 + 108 + 4 + 512), "intermediates stay on chip")
    }

    func testLoweredConvMatchesTheUnloweredRowOnTheMXU() {
        // im2col (2*8*8, 27) then matmul: the same plan as conv2d; im2col is a top-level gather.
        var g = Graph()
        let attrs = ConvAttributes(kernelHeight: 3, kernelWidth: 3)
        let x = g.input("images", .f32([2, 8, 8, 3]), role: .data)
        let w = g.input("w", .f32([27, 4]), role: .parameter)
        let cols = g.emit(.im2col(attrs), [x], layer: "conv2d")
        _ = g.emit(.matmul(transposeA: false, transposeB: false), [cols, w], layer: "conv2d")
        let rows = model.profile(g)
        XCTAssertEqual(rows.map(\.op), ["im2col", "matmul"])
        XCTAssertEqual(rows[0].vpuCycles, 4)  // 128 * 27 = 3,456 elements copied
        XCTAssertEqual(rows[1].mxuCycles, 509)
    }
}

/// The (8, 128) tiled layout.
final class ProfileTileLayoutTests: XCTestCase {
    func testStoredShapes() {
        XCTAssertEqual(TileLayout.tiled8x128.stored(.f32([16, 192, 192, 30])), .f32([16, 192, 192, 128]))
        XCTAssertEqual(TileLayout.tiled8x128.stored(.f32([16, 5])), .f32([16, 128]))
        XCTAssertEqual(TileLayout.tiled8x128.stored(.f32([3, 130])), .f32([8, 256]))
        XCTAssertEqual(TileLayout.tiled8x128.stored(.f32([5])), .f32([128]))
        XCTAssertEqual(TileLayout.tiled8x128.stored(.scalar), .scalar)
        XCTAssertEqual(TileLayout.exact.stored(.f32([3, 130])), .f32([3, 130]))
    }
}
