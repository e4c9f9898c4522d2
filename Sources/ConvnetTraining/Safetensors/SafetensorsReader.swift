import ConvnetSupport
import Foundation

extension Safetensors {
    /// Reads and fully validates the safetensors file at `url`.
    public static func read(from url: URL) throws(SafetensorsError) -> SafetensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafetensorsError(file: url.path, reason: .io("cannot read the file: \(error.localizedDescription)"))
        }
        return try decode([UInt8](data), file: url.path)
    }

    /// Parses the bytes of a safetensors file. Everything is checked before any tensor is built:
    /// header length against the file size, the JSON's shape, dtypes, each tensor's byte count
    /// (product of shape x element size) against its offsets, offsets contiguous from 0, and the
    /// last offset equal to the data length. A bad file gives a `SafetensorsError` naming `file`,
    /// never a trap.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(SafetensorsError) -> SafetensorsFile {
        func fail(_ reason: SafetensorsError.Reason) -> SafetensorsError {
            SafetensorsError(file: file, reason: reason)
        }
        guard bytes.count >= 8 else { throw fail(.tooShort(byteCount: bytes.count)) }
        let n = UInt64(littleEndianBytes: bytes[0..<8])
        guard n <= maxHeaderLength else { throw fail(.headerTooLarge(headerLength: n)) }
        let headerEnd = 8 + Int(n)
        guard headerEnd <= bytes.count else { throw fail(.headerPastEnd(headerLength: n, fileSize: bytes.count)) }
        guard String(validating: bytes[8..<headerEnd], as: UTF8.self) != nil else { throw fail(.headerNotUTF8) }

        let json: JSON
        do {
            json = try JSONParser.parse(Array(bytes[8..<headerEnd]))
        } catch {
            throw fail(.headerNotJSON(error.description))
        }
        guard case let .object(pairs) = json else { throw fail(.headerNotObject) }

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in pairs {
            if name == "__metadata__" {
                guard case let .object(items) = value else { throw fail(.metadataNotStringMap) }
                for (k, v) in items {
                    guard case let .string(s) = v else { throw fail(.metadataNotStringMap) }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try parseEntry(name: name, value: value, fail: fail))
        }

        // Data order, as the reference reader does; the name breaks ties between empty tensors.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let dataLength = bytes.count - headerEnd
        var expectedBegin = 0
        for e in entries {
            guard e.begin == expectedBegin else {
                throw fail(.offsetsNotContiguous(tensor: e.name, expectedBegin: expectedBegin, begin: e.begin))
            }
            let (count, overflow1) = e.shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (needed, overflow2) = count.multipliedReportingOverflow(by: e.dtype.size)
            guard !overflow1, !overflow2 else {
                throw fail(.entryMalformed(tensor: e.name, detail: "shape \(e.shape) is too large"))
            }
            guard needed == e.end - e.begin else {
                throw fail(.sizeMismatch(tensor: e.name, expectedBytes: needed, declaredBytes: e.end - e.begin))
            }
            guard e.end <= dataLength else { throw fail(.dataLengthMismatch(declared: e.end, actual: dataLength)) }
            expectedBegin = e.end
        }
        guard expectedBegin == dataLength else {
            throw fail(.dataLengthMismatch(declared: expectedBegin, actual: dataLength))
        }

        let tensors = entries.map { e in
            SafetensorsTensor(name: e.name, dtype: e.dtype, shape: e.shape,
                              bytes: Array(bytes[headerEnd + e.begin..<headerEnd + e.end]))
        }
        return SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    /// One `"name": {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}` entry.
    /// Unknown extra keys are ignored, as the reference implementation does.
    private static func parseEntry(
        name: String, value: JSON, fail: (SafetensorsError.Reason) -> SafetensorsError
    ) throws(SafetensorsError) -> (name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int) {
        guard case .object = value else { throw fail(.entryMalformed(tensor: name, detail: "entry is not an object")) }
        guard case let .string(dtypeText)? = value["dtype"] else {
            throw fail(.entryMalformed(tensor: name, detail: "missing or non-string \"dtype\""))
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeText) else {
            throw fail(.unknownDType(tensor: name, dtype: dtypeText))
        }
        guard case let .array(shapeItems)? = value["shape"] else {
            throw fail(.entryMalformed(tensor: name, detail: "missing or non-array \"shape\""))
        }
        var shape: [Int] = []
        for item in shapeItems {
            guard case let .int(d) = item, d >= 0 else {
                throw fail(.entryMalformed(tensor: name, detail: "\"shape\" must hold non-negative integers"))
            }
            shape.append(d)
        }
        guard case let .array(offsets)? = value["data_offsets"], offsets.count == 2,
              case let .int(begin) = offsets[0], case let .int(end) = offsets[1],
              begin >= 0, end >= begin
        else {
            throw fail(.entryMalformed(tensor: name, detail: "\"data_offsets\" must be [begin, end] with 0 <= begin <= end"))
        }
        return (name, dtype, shape, begin, end)
    }
}
