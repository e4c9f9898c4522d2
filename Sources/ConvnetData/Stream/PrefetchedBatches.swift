import Foundation
import Synchronization

/// A pass of batches filled ahead on a worker thread: the bytes -> floats conversion and the
/// augmentation of every image run there, so the training thread only copies a finished batch
/// while the previous step's kernels were running. Wraps any `BatchSource` (in-memory batches,
/// or streamed ones whose decoding already runs on their own worker), reads it in order
/// 0, 1, 2..., and hands the batches out in that order, so the images and labels are exactly
/// the wrapped source's: prefetching changes when a batch is made, never what it holds.
///
/// Memory: `depth + 1` batch buffers `(B, H, W, C)` Float, recycled between the two threads.
public final class PrefetchedBatches: BatchSource {
    public let count: Int
    private let ready: BoundedQueue<Result<Buffer, any Error>>
    private let free: BoundedQueue<Buffer>
    private let nextBatch = Mutex<Int>(0)
    /// Set when the worker thread has returned (tests check an abandoned pass lets it go).
    let workerFinished = WorkerFlag()

    final class WorkerFlag: Sendable {
        private let value = Mutex<Bool>(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// One batch: `(B, H, W, C)` images, `(B)` labels and the number of real rows.
    final class Buffer: @unchecked Sendable {
        var images: [Float]
        var labels: [Int32]
        var rows = 0

        init(images: Int, labels: Int) {
            self.images = [Float](repeating: 0, count: images)
            self.labels = [Int32](repeating: 0, count: labels)
        }
    }

    /// The wrapped source, touched by the worker thread alone once the pass starts.
    private final class SourceBox: @unchecked Sendable {
        let source: any BatchSource
        init(_ source: any BatchSource) { self.source = source }
    }

    /// - Parameters:
    ///   - imageElements: floats in one batch of images, `B * H * W * C`.
    ///   - labelCount: labels in one batch, `B`.
    ///   - depth: batches made ahead of the one being read.
    public init(_ source: any BatchSource, imageElements: Int, labelCount: Int, depth: Int = 2) {
        count = source.count
        let ready = BoundedQueue<Result<Buffer, any Error>>(capacity: depth)
        let free = BoundedQueue<Buffer>(capacity: depth + 1)
        for _ in 0...depth { _ = free.put(Buffer(images: imageElements, labels: labelCount)) }
        self.ready = ready
        self.free = free
        let box = SourceBox(source)
        let batches = count
        let finished = workerFinished
        let thread = Thread {
            defer { finished.set() }
            for b in 0..<batches {
                guard let buffer = free.take() else { return }
                let made: Result<Buffer, any Error>
                do {
                    buffer.rows = try buffer.images.withUnsafeMutableBufferPointer { images in
                        try buffer.labels.withUnsafeMutableBufferPointer { labels in
                            try box.source.fill(batch: b, into: images.baseAddress!, labels: labels.baseAddress!)
                        }
                    }
                    made = .success(buffer)
                } catch {
                    made = .failure(error)
                }
                guard ready.put(made) else { return }
                if case .failure = made { break }
            }
            ready.close()
        }
        thread.name = "convnetc-fill"
        thread.start()
    }

    deinit {
        ready.close()
        free.close()
    }

    @discardableResult
    public func fill(batch: Int, into images: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) throws -> Int {
        let expected = nextBatch.withLock { n in defer { n += 1 }; return n }
        precondition(batch == expected, "prefetched batches are read in order: asked for \(batch), next is \(expected)")
        guard let result = ready.take() else {
            throw DataError.badRecord(record: "batch \(batch)", reason: "the batch filler stopped early")
        }
        let buffer = try result.get()
        buffer.images.withUnsafeBufferPointer { images.update(from: $0.baseAddress!, count: $0.count) }
        buffer.labels.withUnsafeBufferPointer { labels.update(from: $0.baseAddress!, count: $0.count) }
        let rows = buffer.rows
        _ = free.put(buffer)
        return rows
    }
}
