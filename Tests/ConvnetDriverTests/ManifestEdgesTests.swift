import Foundation
import XCTest

/// `Package.swift` says what depends on what, and the code's imports say it again: the two must
/// agree, so the manifest's graph is the real one (an unused edge hides a layering mistake, a
/// missing one relies on a module arriving through another).
final class ManifestEdgesTests: XCTestCase {
    /// The package's targets: dependencies as declared, sources folder.
    func manifestTargets() throws -> [(name: String, type: String, dependencies: Set<String>, path: String)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Its own scratch folder, so it never waits for the lock of the build running these tests.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-manifest-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.arguments = ["swift", "package", "--package-path", TestPaths.repoRoot, "--scratch-path", scratch.path, "dump-package"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("swift package dump-package is not available here") }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try XCTUnwrap(json["targets"] as? [[String: Any]])
        return try targets.map { t in
            let name = try XCTUnwrap(t["name"] as? String)
            let type = try XCTUnwrap(t["type"] as? String)
            var deps: Set<String> = []
            for dep in t["dependencies"] as? [[String: Any]] ?? [] {
                for value in dep.values {
                    if let list = value as? [Any], let first = list.first as? String { deps.insert(first) }
                }
            }
            let path = t["path"] as? String ?? (type == "test" ? "Tests/" : "Sources/") + name
            return (name, type, deps, path)
        }
    }

    /// The modules `dir`'s Swift files import, among `known`.
    func imports(in dir: String, known: Set<String>) throws -> Set<String> {
        var found: Set<String> = []
        let root = TestPaths.repoRoot + "/" + dir
        for case let file as String in FileManager.default.enumerator(atPath: root) ?? NSEnumerator() where file.hasSuffix(".swift") {
            for line in try String(contentsOfFile: root + "/" + file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") && !["public", "internal", "private"].contains($0) }
                guard words.count >= 2, words[0] == "import", known.contains(String(words[1])) else { continue }
                found.insert(String(words[1]))
            }
        }
        return found
    }

    func testEveryDeclaredEdgeIsImportedAndEveryImportDeclared() throws {
        let targets = try manifestTargets()
        let known = Set(targets.map(\.name)).union(["ArgumentParser"])
        var problems: [String] = []
        for t in targets where t.type != "system" {
            let used = try imports(in: t.path, known: known)
            let unused = t.dependencies.subtracting(used), undeclared = used.subtracting(t.dependencies)
            if !unused.isEmpty { problems.append("\(t.name) declares but never imports \(unused.sorted())") }
            if !undeclared.isEmpty { problems.append("\(t.name) imports but does not declare \(undeclared.sorted())") }
        }
        XCTAssertTrue(problems.isEmpty, problems.joined(separator: "\n"))
    }
}
