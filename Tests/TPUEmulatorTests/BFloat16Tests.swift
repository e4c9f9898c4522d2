import XCTest
@testable import TPUEmulator

/// bfloat16 rounding against a slow reference that compares distances in Double.
final class BFloat16Tests: XCTestCase {
    /// The slow reference: the two bfloat16 neighbours of `bits`, the nearer one, ties to the
    /// even one. Past the largest finite bfloat16 the next neighbour is 2^128 (infinity), which is
    /// what IEEE round-to-nearest does with overflow.
    static func referenceBits(_ bits: UInt32) -> UInt16 {
        let x = Float(bitPattern: bits)
        if x.isNaN { return UInt16(bits >> 16) | 0x0040 }
        if x.isInfinite { return UInt16(bits >> 16) }
        let lowBits = bits & 0xFFFF_0000                      // toward zero
        let highBits = lowBits + 0x0001_0000                  // away from zero (may be infinity)
        let magnitude = abs(Double(x))
        let low = abs(Double(Float(bitPattern: lowBits)))
        let highFloat = Float(bitPattern: highBits)
        let high = highFloat.isInfinite ? 0x1p128 : abs(Double(highFloat))
        let toLow = magnitude - low, toHigh = high - magnitude
        if toLow < toHigh { return UInt16(lowBits >> 16) }
        if toHigh < toLow { return UInt16(highBits >> 16) }
        return (lowBits >> 16) & 1 == 0 ? UInt16(lowBits >> 16) : UInt16(highBits >> 16)
    }

    /// Bit patterns chosen to hit every rounding case.
    static let tricky: [UInt32] = [
        0x0000_0000, 0x8000_0000,                             // +-0
        0x3F80_0000, 0x3F80_7FFF, 0x3F80_8000, 0x3F80_8001,   // 1.0 and around its half-ulp tie
        0x3F81_7FFF, 0x3F81_8000, 0x3F81_8001,                // odd kept bit: tie goes up
        0xBF80_8000, 0xBF81_8000,                             // negative ties
        0x3FFF_FFFF, 0x3FFF_8000,                             // carry into the exponent
        0x7F7F_FFFF, 0xFF7F_FFFF,                             // max finite float32 -> inf
        0x7F7F_8000, 0x7F7F_7FFF, 0x7F7F_8001,                // tie at bf16 max: even is inf
        0x7F7E_8000,                                          // tie below max: stays finite
        0x7F80_0000, 0xFF80_0000,                             // infinities
        0x7F80_0001, 0xFF80_0001, 0x7F80_8000, 0x7FBF_FFFF,   // signalling NaNs, payload low
        0x7FC0_0000, 0xFFC0_0000, 0x7FFF_FFFF, 0x7FC1_2345,   // quiet NaNs with payloads
        0x0000_0001, 0x0000_8000, 0x0000_8001, 0x0001_8000,   // subnormals and their ties
        0x007F_FFFF, 0x007F_8000, 0x807F_FFFF,                // largest subnormal rounds to normal
        0x0080_0000, 0x0080_8000, 0x0081_8000,                // smallest normal
    ]

    func testTrickyPatternsMatchReference() {
        for bits in Self.tricky {
            XCTAssertEqual(BFloat16.roundedBits(bits), Self.referenceBits(bits),
                           "bits 0x\(String(bits, radix: 16))")
        }
    }

    func testSpecialValues() {
        XCTAssertEqual(BFloat16(Float.greatestFiniteMagnitude).float, .infinity)
        XCTAssertEqual(BFloat16(-Float.greatestFiniteMagnitude).float, -.infinity)
        XCTAssertEqual(BFloat16(Float.infinity).float, .infinity)
        XCTAssertTrue(BFloat16(Float.nan).float.isNaN)
        XCTAssertTrue(BFloat16(Float(bitPattern: 0x7F80_0001)).float.isNaN, "sNaN with low payload")
        XCTAssertEqual(BFloat16(Float(bitPattern: 0xFF80_0001)).bitPattern, 0xFFC0, "sign and quiet bit")
        XCTAssertEqual(BFloat16(1.0).bitPattern, 0x3F80)
        XCTAssertEqual(BFloat16(-0.0).bitPattern, 0x8000)
        XCTAssertEqual(BFloat16(3.140625).float, 3.140625)     // exactly representable
        XCTAssertEqual(BFloat16.round(1 + 0x1p-8), 1.0)         // tie, kept bit even: down
        XCTAssertEqual(BFloat16.round(1 + 3 * 0x1p-8), 1 + 0x1p-6) // tie, kept bit odd: up
    }

    /// Every upper half with low halves at and around the tie points (~400k patterns).
    func testSweepOfUpperHalvesMatchesReference() {
        let lows: [UInt32] = [0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF]
        var mismatches = 0
        for high in UInt32(0)...0xFFFF {
            for low in lows {
                let bits = high << 16 | low
                if BFloat16.roundedBits(bits) != Self.referenceBits(bits) { mismatches += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    func testRandomPatternsMatchReference() {
        var rng = SplitMix64(seed: 42)
        var mismatches = 0
        for _ in 0..<200_000 {
            let bits = UInt32(truncatingIfNeeded: rng.next())
            if BFloat16.roundedBits(bits) != Self.referenceBits(bits) { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0)
    }

    /// The SIMD bulk path and its scalar tail give the scalar result, bit for bit.
    func testBulkRoundingMatchesScalar() {
        var rng = SplitMix64(seed: 7)
        var bits = Self.tricky
        for _ in 0..<1000 { bits.append(UInt32(truncatingIfNeeded: rng.next())) }
        bits.append(contentsOf: Self.tricky.prefix(5))           // a count that is not a multiple of 16
        XCTAssertNotEqual(bits.count % 16, 0)
        let values = bits.map { Float(bitPattern: $0) }
        let bulk = BFloat16.rounded(values)
        for (i, v) in values.enumerated() {
            XCTAssertEqual(bulk[i].bitPattern, UInt32(Self.referenceBits(v.bitPattern)) << 16,
                           "element \(i), bits 0x\(String(v.bitPattern, radix: 16))")
        }
    }

    func testRoundingIsIdempotent() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            let once = BFloat16.round(x)
            XCTAssertEqual(BFloat16.round(once).bitPattern, once.bitPattern)
        }
    }
}
