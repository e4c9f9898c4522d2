import Foundation
import XCTest
@testable import ConvnetTraining

final class CheckpointTests: XCTestCase {
    /// A small conv + dense model with Adam slots, values distinct enough to catch mix-ups.
    private func sample() -> Checkpoint {
        let kernel = CheckpointTensor(shape: [3, 3, 3, 4], values: (0..<108).map { Float($0) / 7 })  // (KH,KW,Cin,F)
        let bias = CheckpointTensor(shape: [4], values: [0.5, -0.5, .nan, .infinity])
        let dense = CheckpointTensor(shape: [4, 5], values: (0..<20).map { -Float($0) })  // (in,out)
        let dbias = CheckpointTensor(shape: [5], values: [1, 2, 3, 4, 5])
        let params = ["conv2d/kernel": kernel, "conv2d/bias": bias, "dense/kernel": dense, "dense/bias": dbias]
        var slots: [String: CheckpointTensor] = [:]
        for (name, p) in params {
            slots[Checkpoint.slotName("m", parameter: name)] = CheckpointTensor(shape: p.shape, values: p.values.map { $0 * 0.1 })
            slots[Checkpoint.slotName("v", parameter: name)] = .zeros(p.shape)
        }
        return Checkpoint(parameters: params, optimizerSlots: slots, step: 920, epoch: 10,
                          seed: UInt64.max - 3, modelHash: "sha256:abc123", optimizer: .adam,
                          learningRate: 0.001, classNames: ["daisy", "dandelion", "roses", "sunflowers", "tulips \"x\""])
    }

    func testRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("epoch-010.safetensors")
        let original = sample()
        try original.save(to: url)
        // The format keeps every bit, NaN and infinity included; loading weights for use refuses
        // them (FiniteWeights), so the round trip reads the file format itself.
        let back = try Checkpoint(file: Safetensors.read(from: url), path: url.path)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains("'conv2d/bias' holds NaN"), "\($0)") }
        XCTAssertEqual(Set(back.parameters.keys), Set(original.parameters.keys))
        for (name, t) in original.parameters { XCTAssertTrue(back.parameters[name]!.bitwiseEqual(t), name) }
        XCTAssertEqual(back.optimizerSlots.count, 8)
        for (name, t) in original.optimizerSlots { XCTAssertTrue(back.optimizerSlots[name]!.bitwiseEqual(t), name) }
        XCTAssertEqual(back.slot("m", of: "dense/bias")?.values, [1, 2, 3, 4, 5].map { Float($0) * 0.1 })
        XCTAssertEqual(back.step, 920)
        XCTAssertEqual(back.epoch, 10)
        XCTAssertEqual(back.seed, UInt64.max - 3)
        XCTAssertEqual(back.modelHash, "sha256:abc123")
        XCTAssertEqual(back.optimizer, .adam)
        XCTAssertEqual(back.learningRate, 0.001)
        XCTAssertEqual(back.classNames, original.classNames)
        XCTAssertEqual(try dir.contents(), ["epoch-010.safetensors"])
    }

    func testFileIsPlainSafetensorsWithKerasNames() throws {
        let file = try Safetensors.decode(Safetensors.encode(sample().safetensorsTensors(), metadata: sample().metadata))
        XCTAssertEqual(file.tensor(named: "conv2d/kernel")?.shape, [3, 3, 3, 4])
        XCTAssertEqual(file.tensor(named: "optimizer/v/dense/kernel")?.shape, [4, 5])
        XCTAssertEqual(file.metadata["class_names"], #"["daisy","dandelion","roses","sunflowers","tulips \"x\""]"#)
        XCTAssertEqual(file.metadata["format_version"], "1")
        XCTAssertEqual(file.metadata["optimizer"], "adam")
    }

    func testSaveRefusesInconsistentCheckpoints() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("bad.safetensors")
        var c = sample()
        c.optimizerSlots["optimizer/velocity/dense/bias"] = .zeros([5])  // an SGD slot in an Adam checkpoint
        XCTAssertThrowsError(try c.save(to: url)) { XCTAssertTrue("\($0)".contains("not a slot of adam"), "\($0)") }
        c = sample()
        c.optimizerSlots["optimizer/m/dense/bias"] = .zeros([6])
        XCTAssertThrowsError(try c.save(to: url)) { XCTAssertTrue("\($0)".contains("shape [6]"), "\($0)") }
        c = sample()
        c.optimizerSlots["optimizer/m/flatten/kernel"] = .zeros([1])
        XCTAssertThrowsError(try c.save(to: url)) { XCTAssertTrue("\($0)".contains("belongs to no parameter"), "\($0)") }
        c = sample()
        c.parameters["dense/bias"] = CheckpointTensor(shape: [5], values: [1])
        XCTAssertThrowsError(try c.save(to: url))
        XCTAssertEqual(try dir.contents(), [])
    }

    func testLoadRefusesForeignOrNewerFiles() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("foreign.safetensors")
        try Safetensors.write([SafetensorsTensor(name: "w", shape: [1], floats: [1])], metadata: ["format": "pt"], to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path): not a usable checkpoint: metadata 'format' is 'pt', expected 'convnetc-checkpoint'")
        }
        var meta = sample().metadata
        meta["format_version"] = "2"
        try Safetensors.write(sample().safetensorsTensors(), metadata: meta, to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains("newer"), "\($0)") }
        meta = sample().metadata
        meta["class_names"] = "[1,2]"
        try Safetensors.write(sample().safetensorsTensors(), metadata: meta, to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains("must hold strings"), "\($0)") }
        meta = sample().metadata
        meta.removeValue(forKey: "seed")
        try Safetensors.write(sample().safetensorsTensors(), metadata: meta, to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains("no 'seed'"), "\($0)") }
        try Safetensors.write([SafetensorsTensor(name: "w", shape: [1], int64s: [1])], metadata: sample().metadata, to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url)) { XCTAssertTrue("\($0)".contains("expected F32"), "\($0)") }
    }

    func testSGDSlots() throws {
        let p = CheckpointTensor(shape: [2], values: [1, 2])
        let c = Checkpoint(parameters: ["dense/bias": p], optimizerSlots: ["optimizer/velocity/dense/bias": .zeros([2])],
                           step: 1, epoch: 0, seed: 42, modelHash: "h", optimizer: .sgd, learningRate: 0.01, classNames: [])
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("sgd.safetensors")
        try c.save(to: url)
        let back = try Checkpoint.load(from: url)
        XCTAssertEqual(back.slot("velocity", of: "dense/bias"), .zeros([2]))
        XCTAssertEqual(back.classNames, [])
        XCTAssertEqual(OptimizerKind.sgd.slotNames, ["velocity"])
    }
}
