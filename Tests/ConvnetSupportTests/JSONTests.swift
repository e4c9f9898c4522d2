import XCTest
@testable import ConvnetSupport

final class JSONTests: XCTestCase {
    func testKeepsKeyOrderAndEscapes() {
        let value = JSON.object([("b", 1), ("a", .string("x\"y\n")), ("c", [.bool(true), .null])])
        XCTAssertEqual(value.serialized(), #"{"b":1,"a":"x\"y\n","c":[true,null]}"#)
    }

    func testDoublesAndNonFinite() {
        XCTAssertEqual(JSON.double(0.5).serialized(), "0.5")
        XCTAssertEqual(JSON.double(2).serialized(), "2.0")
        XCTAssertEqual(JSON.double(.nan).serialized(), "null")
    }

    func testPrettyPrinting() {
        let value = JSON.object([("a", [1, 2])])
        XCTAssertEqual(value.serialized(pretty: true), "{\n  \"a\": [\n    1,\n    2\n  ]\n}")
    }

    func testNumberFormats() {
        XCTAssertEqual(NumberFormat.grouped(293233), "293,233")
        XCTAssertEqual(NumberFormat.grouped(55321805), "55,321,805")
        XCTAssertEqual(NumberFormat.grouped(0), "0")
        XCTAssertEqual(NumberFormat.grouped(-1234), "-1,234")
        XCTAssertEqual(NumberFormat.bytes(2_359_296), "2.25 MiB")
        XCTAssertEqual(NumberFormat.fixed(0.12345, 3), "0.123")
        XCTAssertEqual(NumberFormat.fixed(-1.5, 1), "-1.5")
        XCTAssertEqual(NumberFormat.percent(0.91683), "91.7%")
    }
}
