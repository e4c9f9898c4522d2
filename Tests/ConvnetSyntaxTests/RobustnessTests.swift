import XCTest
@testable import ConvnetSyntax

/// Random token soup and random bytes: the front end must never crash or hang, every range
/// must lie inside the file, and every diagnostic must carry an id and a help line.
final class RobustnessTests: XCTestCase {
    /// SplitMix64: a tiny deterministic generator so failures reproduce.
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let words: [String] = Keyword.allCases.map { $0.rawValue } + [
        "3", "0", "32", "3x3x8", "3x", "x", "-", "0.5", "1e-3", "1e400", "99999999999999999999",
        "{", "}", ";", "\n", "\r\n", "\"flowers\"", "\"", "# c", "cnov", "Conv", "16relu", ",", "é", "“",
    ]

    private static let pieces: [[UInt8]] = words.map { Array($0.utf8) } + [[0], [0xFF], [0xC3], [0xE2, 0x82]]

    private func check(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let source = SourceFile(path: "fuzz.convnet", bytes: bytes)
        let result = Parser.parse(source)
        for d in result.diagnostics {
            if let range = d.range {
                XCTAssertTrue(range.start >= 0 && range.end <= bytes.count, "\(d.id) \(range) in \(bytes)", file: file, line: line)
            }
            XCTAssertNotNil(d.help, "\(d.id): \(d.message) has no help", file: file, line: line)
            XCTAssertFalse(d.id.isEmpty, file: file, line: line)
        }
        XCTAssertFalse(DiagnosticRenderer.render(result.diagnostics, in: source).isEmpty && !result.diagnostics.isEmpty)
        // A clean parse means the file really is a model.
        if result.diagnostics.isEmpty { XCTAssertFalse(result.file.layers.isEmpty, file: file, line: line) }
    }

    func testRandomTokenSoup() {
        var rng = Generator(state: 42)
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...25, using: &rng) {
                bytes += Self.pieces.randomElement(using: &rng)!
                if Bool.random(using: &rng) { bytes.append(UInt8(ascii: " ")) }
            }
            check(bytes)
        }
    }

    func testRandomBytes() {
        var rng = Generator(state: 7)
        for _ in 0..<1000 {
            let bytes = (0..<Int.random(in: 0...60, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            check(bytes)
        }
    }

    func testEveryPrefixOfAGoodFile() {
        let text = "input 192x192x3\nconv 3x3x16 stride 2 padding valid relu\nmaxpool 2\ngap\ndense 5 softmax\n"
            + "train {\n data \"f\"; validation 0.2; batch 8; epochs 2\n optimizer sgd lr 0.1 momentum 0.9\n"
            + " schedule exponential 0.9; seed 3; augment flip crop\n}\n"
        let bytes = Array(text.utf8)
        for end in 0...bytes.count { check(Array(bytes[0..<end])) }
    }
}
