import Foundation

/// The weight files `--weights` and `--init-from` accept.
public enum WeightsFormat: String, Sendable {
    /// A checkpoint written by `convnetc --run` (safetensors with `format: convnetc-checkpoint`).
    case checkpoint = "convnetc checkpoint"
    /// Safetensors holding only weights under Keras names (`conv2d/kernel`), no convnetc metadata.
    case kerasSafetensors = "Keras-named safetensors"
    /// Keras 3's `model.save_weights("x.weights.h5")`: HDF5 groups `layers/<layer>/vars/<index>`.
    case kerasH5 = "Keras .weights.h5"

    /// Whether `url` is an HDF5 file: its signature at offset 0, 512, 1024 or 2048 (where HDF5
    /// looks for it after a user block). Anything else goes to the safetensors reader, whose
    /// errors explain a file that is neither.
    static func isHDF5(_ url: URL) throws(WeightsImportError) -> Bool {
        func fail(_ m: String) -> WeightsImportError { WeightsImportError(file: url.path, message: m) }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
        } catch {
            throw fail("no such file")
        }
        switch attributes[.type] as? FileAttributeType {
        case .typeRegular?: break
        case .typeDirectory?: throw fail("is a folder, not a weights file\nhelp: name the file, e.g. runs/MODEL/model.safetensors")
        default: throw fail("is not a regular file")
        }
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 2048 + 8) ?? Data()
        } catch {
            throw WeightsImportError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        let bytes = [UInt8](head)
        return [0, 512, 1024, 2048].contains { offset in
            bytes.count >= offset + 8 && Array(bytes[offset..<offset + 8]) == HDF5File.signature
        }
    }
}
