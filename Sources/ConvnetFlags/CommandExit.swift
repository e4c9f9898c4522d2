import ArgumentParser
import Foundation

/// How every convnet executable (convnetc, a native binary) ends: 0 done (or `--help`), 1 a
/// failure reported as `error: ...`, 2 a usage error (ArgumentParser's own EX_USAGE becomes 2,
/// as the README documents), or the status a command chose (`ExitCode`).
public enum CommandExit {
    public static let usage: Int32 = 2

    /// Parses `arguments` as `Root`'s command line, runs the command, and returns the status.
    public static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]) -> Int32 {
        do {
            var command = try Root.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            return status(for: error, root)
        }
    }

    /// Prints what `error` says where it belongs and returns the exit status for it.
    public static func status<Root: ParsableCommand>(for error: Error, _ root: Root.Type) -> Int32 {
        let code = Root.exitCode(for: error)
        if let exit = error as? ExitCode { return exit.rawValue }
        if code == .success {
            print(Root.fullMessage(for: error))  // --help, --version
            return 0
        }
        if code.rawValue == 64 || error is ValidationError {
            FileHandle.standardError.write(Data((Root.fullMessage(for: error) + "\n").utf8))
            return usage
        }
        // The command's own errors (training, data, checkpoints) say what happened in their description.
        let text = "\(error)"
        FileHandle.standardError.write(Data(((text.hasPrefix("error:") ? text : "error: " + text) + "\n").utf8))
        return code.rawValue == 0 ? 1 : code.rawValue
    }
}
