internal import CHDF5
import Foundation

/// One dataset of an HDF5 file: its path from the root (`layers/conv2d/vars/0`) and its shape.
struct HDF5Dataset: Equatable, Sendable {
    var path: String
    var shape: [Int]
    /// Whether HDF5 stores it as floating point (Keras weights are float32; integer datasets such
    /// as an optimizer's iteration count are never weights).
    var isFloat: Bool
}

/// Read-only access to an HDF5 file through Debian's libhdf5, enough to read Keras 3's
/// `.weights.h5`: walk the groups under a path, list datasets with their shapes, read one
/// dataset as float32. The serial libhdf5 is not thread-safe, so every use holds one lock
/// (`HDF5File.read`).
struct HDF5File {
    let path: String
    private let id: hid_t

    /// The 8 bytes every HDF5 file starts with (at offset 0, or 512, 1024... after a user block).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Groups nested deeper than this are not walked (links can form cycles; Keras nests 4 deep).
    static let maxDepth = 16

    private static let lock = NSLock()

    /// Opens `path`, runs `body` on it and closes it, all under the library lock.
    static func read<T>(_ path: String, _ body: (HDF5File) throws(WeightsImportError) -> T) throws(WeightsImportError) -> T {
        lock.lock()
        defer { lock.unlock() }
        chdf5_silence_errors()
        let id = chdf5_open_readonly(path)
        guard id >= 0 else {
            throw WeightsImportError(file: path, message: "not a readable HDF5 file (truncated or corrupt)")
        }
        defer { H5Fclose(id) }
        return try body(HDF5File(path: path, id: id))
    }

    private func fail(_ message: String) -> WeightsImportError { WeightsImportError(file: path, message: message) }

    /// Every dataset below the group `group` (e.g. "layers"), in name order; an empty list when
    /// the file has no such group.
    func datasets(under group: String) throws(WeightsImportError) -> [HDF5Dataset] {
        guard chdf5_link_exists(id, group) > 0 else { return [] }
        var found: [HDF5Dataset] = []
        try walk(group, depth: 0, into: &found)
        return found
    }

    private func walk(_ path: String, depth: Int, into found: inout [HDF5Dataset]) throws(WeightsImportError) {
        guard depth <= HDF5File.maxDepth else { throw fail("groups nest deeper than \(HDF5File.maxDepth) levels at '\(path)'") }
        let object = chdf5_open_object(id, path)
        guard object >= 0 else { throw fail("cannot open '\(path)' (truncated or corrupt)") }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP:
            var info = H5G_info_t()
            guard H5Gget_info(object, &info) >= 0 else { throw fail("cannot list group '\(path)' (truncated or corrupt)") }
            for index in 0..<info.nlinks {
                try walk(path + "/" + (try linkName(object, index, in: path)), depth: depth + 1, into: &found)
            }
        case H5I_DATASET:
            found.append(try describe(dataset: object, path: path))
        default:
            break  // named datatypes and the like hold no weights
        }
    }

    private func linkName(_ group: hid_t, _ index: hsize_t, in path: String) throws(WeightsImportError) -> String {
        let length = chdf5_link_name(group, index, nil, 0)
        guard length >= 0 else { throw fail("cannot read a member name of '\(path)' (truncated or corrupt)") }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        guard chdf5_link_name(group, index, &buffer, buffer.count) >= 0 else {
            throw fail("cannot read a member name of '\(path)' (truncated or corrupt)")
        }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func describe(dataset: hid_t, path: String) throws(WeightsImportError) -> HDF5Dataset {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw fail("cannot read the shape of '\(path)' (truncated or corrupt)") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= 32 else { throw fail("dataset '\(path)' has no simple shape") }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(space, &dims, nil) == rank else {
            throw fail("cannot read the shape of '\(path)' (truncated or corrupt)")
        }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw fail("cannot read the type of '\(path)' (truncated or corrupt)") }
        defer { H5Tclose(type) }
        let shape = try dims.map { d throws(WeightsImportError) -> Int in
            guard d <= hsize_t(Int32.max) else { throw fail("dataset '\(path)' has a dimension of \(d)") }
            return Int(d)
        }
        return HDF5Dataset(path: path, shape: shape, isFloat: H5Tget_class(type) == H5T_FLOAT)
    }

    /// The dataset's elements converted to float32, row-major. Call it only for datasets whose
    /// shape the caller checked, so a corrupt shape never sizes an allocation.
    func floats(_ dataset: HDF5Dataset) throws(WeightsImportError) -> [Float] {
        let object = chdf5_open_dataset(id, dataset.path)
        guard object >= 0 else { throw fail("cannot open '\(dataset.path)' (truncated or corrupt)") }
        defer { H5Dclose(object) }
        let count = dataset.shape.reduce(1, *)
        var status: herr_t = -1
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.initialize(repeating: 0)
            if let base = buffer.baseAddress { status = chdf5_read_floats(object, base) } else { status = 0 }
            initialized = count
        }
        guard status >= 0 else { throw fail("cannot read the values of '\(dataset.path)' (truncated or corrupt)") }
        return values
    }
}
