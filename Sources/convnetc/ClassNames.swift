import ArgumentParser
import ConvnetDriver
import Foundation

/// `--classes a,b,...` of `predict` and `evaluate`.
enum ClassNames {
    /// The names in label order, or nil when the flag is absent.
    static func parse(_ flag: String?) throws -> [String]? {
        guard let flag else { return nil }
        let names = flag.split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !names.contains(where: \.isEmpty) else {
            throw ValidationError("--classes expects names separated by commas, e.g. --classes daisy,roses,tulips; got '\(flag)'")
        }
        guard Set(names).count == names.count else { throw ValidationError("--classes names a class twice: '\(flag)'") }
        return names
    }

    /// A usage error for a malformed list, or for `--target native`, whose generated binary
    /// takes class names from the weights or the data folder only.
    static func validate(_ flag: String?, target: Target) throws {
        _ = try parse(flag)
        if flag != nil, target == .native {
            throw ValidationError("--classes is not passed to --target native; use --target cpu")
        }
    }
}
