import XCTest
import ConvnetIR
@testable import ConvnetOptimizer

final class SimplifyTests: XCTestCase {
    func testDeadCodeIsRemovedButInputsStay() {
        var g = Graph()
        let x = g.input("x", .f32([4]), role: .data)
        let unused = g.input("unused", .f32([4]), role: .data)
        _ = g.emit(.unary(.exp), [unused])           // dead
        let y = g.emit(.unary(.neg), [x])
        g.outputs = [GraphOutput(name: "y", value: y)]
        let s = DeadCodeElimination.run(g)
        XCTAssertEqual(s.instructions.map(\.op.mnemonic), ["input", "input", "neg"])
        XCTAssertEqual(verifierMessages(s), [])
    }

    func testCommonSubexpressionsMerge() {
        var g = Graph()
        let x = g.input("x", .f32([4]), role: .data)
        let c1 = g.constant(2), c2 = g.constant(2), c3 = g.constant(3)
        let a = g.mul(x, c1), b = g.mul(x, c2)   // the same once c2 is c1
        let d = g.mul(x, c3)                      // a different constant
        let sum = g.add(g.add(a, b), d)
        g.outputs = [GraphOutput(name: "s", value: sum), GraphOutput(name: "b", value: b)]
        let s = Simplify.run(g)
        XCTAssertEqual(s.instructions.filter { $0.op == .constant(2) }.count, 1)
        XCTAssertEqual(s.instructions.filter { $0.op == .binary(.mul) }.count, 2)
        XCTAssertEqual(s.output(named: "b"), a)
        XCTAssertEqual(verifierMessages(s), [])
    }

    func testTrivialReshapesFold() {
        var g = Graph()
        let x = g.input("x", .f32([2, 6]), role: .data)
        let same = g.emit(.reshape, [x], declared: .f32([2, 6]))
        let r1 = g.emit(.reshape, [same], declared: .f32([3, 4]))
        let r2 = g.emit(.reshape, [r1], declared: .f32([12]))
        let back = g.emit(.reshape, [r2], declared: .f32([2, 6]))
        let y = g.emit(.unary(.neg), [back])
        g.outputs = [GraphOutput(name: "y", value: y), GraphOutput(name: "flat", value: r2)]
        let s = Simplify.run(g)
        XCTAssertEqual(verifierMessages(s), [])
        // neg reads x directly; the flat output is one reshape of x.
        XCTAssertEqual(s.instruction(defining: s.output(named: "y")!)!.operands, [x])
        let flat = s.instruction(defining: s.output(named: "flat")!)!
        XCTAssertEqual(flat.operands, [x])
        XCTAssertEqual(s.instructions.filter { $0.op == .reshape }.count, 1)
    }
}
