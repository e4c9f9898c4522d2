import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// The inference and training programs of a small model: shapes, names, printing.
final class BuilderTests: XCTestCase {
    func testDump() throws {
        let m = smallModel()
        print(Printer().print(IRBuilder.inference(m, batch: 2).graph))
        print(Printer().print(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001)).graph))
    }
}
