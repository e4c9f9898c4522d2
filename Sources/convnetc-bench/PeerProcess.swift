import ConvnetSupport
import Foundation

/// The TensorFlow peer (`bench/tf_peer.py --serve`) kept running for the whole benchmark: built
/// and warmed up once, then asked for N timed steps right after each of our own measurements,
/// so the two rates of a round are seconds apart on this shared, noisy machine.
final class PeerProcess {
    let name: String
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private var buffer = Data()

    /// Starts the peer; nil (with a note on stderr) when it cannot start or answer. `keras` names
    /// the peer's functional-API builder of a branching model (`tf_peer.py --keras`), whose
    /// `.convnet` its sequential reader cannot read.
    init?(python: String, repo: String, model: String, keras: String? = nil, batch: Int, steps: Int) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repo + "/bench/tf_peer.py", model, "--batch", String(batch), "--steps", String(steps), "--serve"]
            + (keras.map { ["--keras", $0] } ?? [])
        let toPeer = Pipe(), fromPeer = Pipe()
        process.standardInput = toPeer
        process.standardOutput = fromPeer
        process.standardError = FileHandle.nullDevice
        input = toPeer.fileHandleForWriting
        output = fromPeer.fileHandleForReading
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("bench: cannot run \(python): \(error)\n".utf8))
            return nil
        }
        guard let line = PeerProcess.readLine(output, &buffer), let json = try? JSONParser.parse(line),
              let name = json["peer"]?.stringValue else {
            FileHandle.standardError.write(Data("bench: the TensorFlow peer did not start\n".utf8))
            process.terminate()
            return nil
        }
        self.name = name
    }

    /// Images/s of `steps` timed training (`train`) or inference (`infer`) steps; nil on failure.
    func rate(_ kind: String, steps: Int) -> Double? {
        input.write(Data("\(kind) \(steps)\n".utf8))
        guard let line = PeerProcess.readLine(output, &buffer), let json = try? JSONParser.parse(line) else { return nil }
        return json["images_per_sec"]?.doubleValue
    }

    /// Ends the peer (closing its input ends its loop).
    func stop() {
        try? input.close()
        process.waitUntilExit()
    }

    /// The next line from `handle` (without the newline), or nil at end of file.
    private static func readLine(_ handle: FileHandle, _ buffer: inout Data) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer = Data(buffer[buffer.index(after: newline)...])
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
