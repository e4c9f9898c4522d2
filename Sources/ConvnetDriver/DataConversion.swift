import ConvnetData
import ConvnetTraining
import Foundation
import Synchronization

/// `convnetc data tfrecord FOLDER OUTDIR [--shards N] [--size HxW]`: an image folder written as
/// TFRecord shards in the codelab's schema, with a progress bar on stderr (stdout gets the list
/// of files written, so it can be piped).
public enum DataConversion {
    public static func tfrecord(folder: String, output: String, shards: Int, size: TFRecordConverter.Size?) throws -> Int32 {
        let converter = TFRecordConverter(folder: folder, output: output, shards: shards, size: size)
        let progress = ConversionProgress(output: StandardErrorOutput())
        let summary: TFRecordConverter.Summary
        do {
            summary = try converter.run { done, total in progress.update(done: done, total: total) }
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        for line in SkippedFile.report(summary.skipped) { Console.writeError(line + "\n") }
        for file in summary.files { print(file) }
        Console.writeError("Wrote \(summary.records) images of \(summary.classNames.count) classes "
            + "(\(summary.classNames.joined(separator: ", "))) as \(summary.files.count) shards in \(output)\n")
        return 0
    }
}

/// The bar, created on the first report (when the total is known); reports arrive from worker
/// threads one at a time, the lock makes that safe to state.
private final class ConversionProgress: Sendable {
    private let bar = Mutex<WorkProgressBar?>(nil)
    private nonisolated(unsafe) let output: ProgressOutput

    init(output: ProgressOutput) { self.output = output }

    func update(done: Int, total: Int) {
        bar.withLock { bar in
            if bar == nil { bar = WorkProgressBar(label: "Writing \(total) images", total: total, output: output, clock: SystemClock()) }
            bar!.update(done: done)
        }
    }

    func finish() { bar.withLock { $0?.finish() } }
}

/// Standard error, a terminal when stderr is a TTY.
private final class StandardErrorOutput: ProgressOutput {
    let isTerminal = isatty(STDERR_FILENO) == 1

    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
