import Foundation

/// The bounded buffers of a streamed dataset (tf.data's knobs), and when an image folder is
/// streamed rather than cached. Memory in use is about `shuffleBuffer` encoded images +
/// `prefetch` decoded batches + `cycleLength` open files, whatever the number of records.
public struct StreamOptions: Hashable, Sendable {
    /// An image folder whose decoded images (count x H x W x C bytes) fit in this many bytes is
    /// decoded once into memory; a larger one is streamed. Default: half the machine's memory.
    public var cacheLimit: Int
    /// Shards read at once, one record from each in turn (`interleave(cycle_length:)`).
    public var cycleLength: Int
    /// Encoded images the training order is drawn from (`shuffle(buffer_size:)`).
    public var shuffleBuffer: Int
    /// Decoded batches made ahead of the training step (`prefetch`).
    public var prefetch: Int

    public init(cycleLength: Int = 4, shuffleBuffer: Int = 1024, prefetch: Int = 2,
                cacheLimit: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)) {
        self.cacheLimit = cacheLimit
        self.cycleLength = cycleLength
        self.shuffleBuffer = shuffleBuffer
        self.prefetch = prefetch
    }
}
