import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetTraining
#if canImport(Glibc)
import Glibc
#endif

/// Issue 19's "lost or mixed work": a new run never destroys an earlier one, two runs never share
/// a folder, resume trusts only a checkpoint whose name, epoch and step agree, SIGTERM saves.
final class RunSafetyTests: XCTestCase {
    func testAFreshRunIntoAFolderHoldingARunIsRefusedAndDeletesNothing() throws {
        let dir = try TemporaryDirectory()
        let model = try checkedModel()
        let first = try train(model, into: dir.url, options: TrainingOptions(epochs: 1))
        let weights = try Data(contentsOf: try XCTUnwrap(first.finalWeights))
        let checkpoint = try Data(contentsOf: dir.url.appendingPathComponent("checkpoints/epoch-001.safetensors"))
        XCTAssertThrowsError(try train(model, into: dir.url, options: TrainingOptions(epochs: 1))) { error in
            guard case TrainingError.runExists? = error as? TrainingError else { return XCTFail("\(error)") }
            let text = "\(error)"
            XCTAssertTrue(text.contains("--resume") && text.contains("--overwrite"), text)
            XCTAssertTrue(text.contains("model.safetensors"), text)
        }
        XCTAssertEqual(try Data(contentsOf: dir.url.appendingPathComponent("model.safetensors")), weights)
        XCTAssertEqual(try Data(contentsOf: dir.url.appendingPathComponent("checkpoints/epoch-001.safetensors")), checkpoint)

        var options = TrainingOptions(epochs: 1)
        options.overwrite = true
        let replaced = try train(model, into: dir.url, options: options)
        XCTAssertEqual(replaced.outcome, .completed)
    }

    func testASecondRunIsRefusedNamingTheHolderOfTheLock() throws {
        let dir = try TemporaryDirectory()
        let run = try RunDirectory(url: dir.url)
        let held = try RunLock(folder: run.url)
        defer { held.release() }
        XCTAssertThrowsError(try train(try checkedModel(), into: dir.url, options: TrainingOptions(epochs: 1))) { error in
            guard case TrainingError.runLocked(_, let holder)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder?.pid, getpid())
            XCTAssertEqual(holder?.host, ProcessInfo.processInfo.hostName)
            XCTAssertTrue("\(error)".contains("pid \(getpid())"), "\(error)")
            XCTAssertTrue("\(error)".contains("started 20"), "\(error)")
        }
        XCTAssertEqual(try run.checkpoints().count, 0, "the refused run wrote nothing")
    }

    func testALockLeftByADeadProcessIsTakenOver() throws {
        let dir = try TemporaryDirectory()
        try AtomicFile.write(#"{"pid":999999,"host":"gone","started":"2026-01-01T00:00:00Z"}"# + "\n",
                             to: RunLock.file(in: dir.url))
        let lock = try RunLock(folder: dir.url)
        XCTAssertEqual(lock.takenOverFrom?.pid, 999999)
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: RunLock.file(in: dir.url).path))
        XCTAssertEqual(try train(try checkedModel(), into: dir.url, options: TrainingOptions(epochs: 1)).outcome, .completed)
    }

    func testResumeRefusesACheckpointWhoseNameContradictsItsEpoch() throws {
        let dir = try TemporaryDirectory()
        let model = try checkedModel()
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 2))
        let run = try RunDirectory(url: dir.url)
        // An epoch-1 checkpoint saved as epoch 3: resuming would overwrite the genuine epoch 2.
        try FileManager.default.copyItem(at: run.checkpoint(epoch: 1), to: run.checkpoint(epoch: 3))
        let genuine = try Data(contentsOf: run.checkpoint(epoch: 2))
        XCTAssertThrowsError(try train(model, into: dir.url, options: TrainingOptions(epochs: 4, resume: true))) { error in
            XCTAssertTrue("\(error)".contains("name says epoch 3 but its metadata says epoch 1"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: run.checkpoint(epoch: 2)), genuine)
    }

    func testResumeRefusesAStepNoRunCanReach() throws {
        let dir = try TemporaryDirectory()
        let model = try checkedModel()
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 1))
        let run = try RunDirectory(url: dir.url)
        for step in [Int.max, 1_000, 0] {
            var checkpoint = try Checkpoint.load(from: run.checkpoint(epoch: 1))
            checkpoint.step = step
            try checkpoint.save(to: run.checkpoint(epoch: 1))
            XCTAssertThrowsError(try train(model, into: dir.url, options: TrainingOptions(epochs: 3, resume: true)),
                                 "step \(step)") { error in
                guard case TrainingError.incompatibleCheckpoint? = error as? TrainingError else { return XCTFail("\(error)") }
            }
        }
    }

    func testSIGTERMStopsLikeCtrlC() throws {
        let flag = InterruptFlag()
        flag.install()
        defer { flag.uninstall() }
        raise(SIGTERM)
        XCTAssertTrue(flag.interrupted)
        XCTAssertEqual(flag.presses, 1)
    }
}
