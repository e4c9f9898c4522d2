import XCTest
@testable import ConvnetData

/// CRC-32C, TFRecord framing and the record reader's handling of damaged files.
final class TFRecordFormatTests: XCTestCase {
    func testCRC32CKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        // RFC 3720 appendix B.4.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testMaskedCRC() {
        // ((crc >> 15) | (crc << 17)) + 0xa282ead8, wrapping.
        XCTAssertEqual(CRC32C.masked(0), 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(0x0000_8000), 0xA282_EAD9)  // bit 15 rotates to bit 0
        XCTAssertEqual(CRC32C.masked(0xE306_9283), ((0xE306_9283 >> 15) | (0xE306_9283 << 17 & 0xFFFF_FFFF)) &+ 0xA282_EAD8)
        XCTAssertEqual(CRC32C.masked(0xFFFF_FFFF), 0xA282_EAD7)  // wraps
        // The framing of an empty record, as TensorFlow writes it: length 0, then the masked CRCs.
        XCTAssertEqual(TFRecordWriter.frame([]),
                       [0, 0, 0, 0, 0, 0, 0, 0] + TFRecordWriter.le32(CRC32C.masked(CRC32C.checksum([UInt8](repeating: 0, count: 8))))
                        + TFRecordWriter.le32(CRC32C.masked(0)))
    }

    func read(_ path: String) throws -> (records: [TFRecordFileReader.Record], problems: [TFRecordProblem]) {
        let reader = try TFRecordFileReader(path: path)
        var records: [TFRecordFileReader.Record] = []
        while let r = reader.next() { records.append(r) }
        return (records, reader.problems)
    }

    func testWriterAndReaderRoundTrip() throws {
        let folder = TempFolder()
        let path = folder.path + "/x.tfrec"
        let writer = try TFRecordWriter(path: path)
        let payloads: [[UInt8]] = [[], [1, 2, 3], Fixture.noise(count: 70_000, seed: 3)]
        for p in payloads { try writer.write(p) }
        try writer.close()
        let (records, problems) = try read(path)
        XCTAssertEqual(records.map(\.data), payloads)
        XCTAssertEqual(records.map(\.offset), [0, 16, 35])
        XCTAssertEqual(records.map(\.index), [0, 1, 2])
        XCTAssertTrue(problems.isEmpty)
    }

    func testCorruptRecordIsSkippedWithFileIndexAndOffset() throws {
        let folder = TempFolder()
        let records = (0..<4).map { [UInt8](repeating: UInt8($0), count: 10 + $0) }
        var bytes = records.flatMap(TFRecordWriter.frame)
        let offset1 = 12 + 10 + 4  // record 1 starts after record 0's header, 10 bytes and CRC
        bytes[offset1 + 12 + 3] ^= 0x40  // a byte of record 1's data
        let path = folder.write("c.tfrec", bytes)
        let (read, problems) = try self.read(path)
        XCTAssertEqual(read.map(\.index), [0, 2, 3], "record 1 skipped, the others kept")
        XCTAssertEqual(read.map(\.data), [records[0], records[2], records[3]])
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems[0].kind, .corrupt)
        XCTAssertEqual(problems[0].index, 1)
        XCTAssertEqual(problems[0].offset, 26)
        XCTAssertEqual(problems[0].description,
                       "warning: skipped c.tfrec, record 1 at byte 26: the data's CRC does not match (corrupt record)")
    }

    func testCorruptLengthStopsTheFile() throws {
        let folder = TempFolder()
        var bytes = (0..<3).flatMap { TFRecordWriter.frame([UInt8](repeating: 7, count: 5 + $0)) }
        bytes[21 + 2] ^= 1  // record 1's length (record 0 is 21 bytes)
        let (read, problems) = try self.read(folder.write("l.tfrec", bytes))
        XCTAssertEqual(read.map(\.index), [0])
        XCTAssertEqual(problems.map(\.kind), [.corrupt])
        XCTAssertEqual(problems.first?.offset, 21)
        XCTAssertTrue(problems.first!.reason.contains("length"), problems.first!.reason)
    }

    func testTruncatedShardKeepsEveryWholeRecord() throws {
        let folder = TempFolder()
        let full = (0..<5).flatMap { TFRecordWriter.frame([UInt8](repeating: UInt8($0), count: 100)) }
        // Cut inside record 3's data, then inside record 3's header, then right after record 2's.
        for (cut, kept) in [(full.count - 116 - 50, 3), (3 * 116 + 5, 3), (3 * 116, 3), (full.count - 1, 4)] {
            let (read, problems) = try self.read(folder.write("t\(cut).tfrec", Array(full[..<cut])))
            XCTAssertEqual(read.count, kept, "cut at \(cut)")
            XCTAssertEqual(read.map { $0.data.first! }, (0..<kept).map(UInt8.init))
            if cut == 3 * 116 {
                XCTAssertTrue(problems.isEmpty, "a cut between records is a shorter, valid file")
            } else {
                XCTAssertEqual(problems.map(\.kind), [.truncated], "cut at \(cut)")
                XCTAssertEqual(problems.first?.index, kept)
                XCTAssertTrue(problems.first!.reason.contains("are kept"), problems.first!.reason)
            }
        }
    }

    func testEmptyShardHasNoRecordsAndNoProblems() throws {
        let folder = TempFolder()
        let (read, problems) = try self.read(folder.write("e.tfrec", []))
        XCTAssertTrue(read.isEmpty)
        XCTAssertTrue(problems.isEmpty)
    }

    func testMissingFileIsAnError() {
        XCTAssertThrowsError(try TFRecordFileReader(path: "/nonexistent/x.tfrec"))
    }
}
