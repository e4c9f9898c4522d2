import ConvnetSupport
/// Keras-style progress for one training epoch.
///
/// On a terminal:
/// ```
/// Epoch 3/20
/// 45/92 [==============>...............] - ETA: 12s - loss: 1.2345 - accuracy: 0.4567
/// ```
/// the second line redrawn in place with `\r` (at most every `interval` seconds), and finally
/// ```
/// 92/92 [==============================] - 25s 272ms/step - loss: 1.1 - accuracy: 0.5 - val_loss: ...
/// ```
/// When the output is not a terminal (a log file, CI) only that final line is written, prefixed
/// with the epoch: `Epoch 3/20 - 92/92 - 25s 272ms/step - loss: ...`, one line per epoch.
public final class EpochProgressBar {
    public let epoch: Int
    public let totalEpochs: Int
    public let steps: Int
    private let output: ProgressOutput
    private let clock: TrainingClock
    private let width: Int
    private let interval: Double
    private var startTime: Double = 0
    private var lastDraw = -Double.infinity
    private var lastWidth = 0
    private var started = false

    /// - Parameters:
    ///   - epoch: 1-based epoch number; `totalEpochs` the run's count.
    ///   - steps: batches in this epoch.
    ///   - width: cells in the bar (Keras: 30).
    ///   - interval: minimum seconds between redraws, so a fast loop does not flood the terminal.
    public init(epoch: Int, totalEpochs: Int, steps: Int, output: ProgressOutput, clock: TrainingClock,
                width: Int = 30, interval: Double = 0.05) {
        self.epoch = epoch
        self.totalEpochs = totalEpochs
        self.steps = steps
        self.output = output
        self.clock = clock
        self.width = width
        self.interval = interval
    }

    /// Starts the epoch's clock and, on a terminal, prints the `Epoch e/n` heading.
    public func start() {
        started = true
        startTime = clock.now()
        if output.isTerminal { output.write("Epoch \(epoch)/\(totalEpochs)\n") }
    }

    /// Reports that `step` of `steps` batches are done, with running metrics (e.g. mean loss and
    /// accuracy so far). Redraws at most every `interval` seconds; silent off a terminal.
    public func update(step: Int, metrics: [(String, Double)]) {
        if !started { start() }
        guard output.isTerminal else { return }
        let now = clock.now()
        guard now - lastDraw >= interval else { return }
        lastDraw = now
        let elapsed = now - startTime
        var line = counter(step) + " " + ProgressFormat.bar(current: step, total: steps, width: width)
        let perStep = step > 0 ? elapsed / Double(step) : 0
        line += " - ETA: " + ProgressFormat.eta(perStep * Double(steps - step))
        line += ProgressFormat.metrics(metrics)
        redraw(line)
    }

    /// Ends the epoch with its final training metrics followed by validation metrics, and
    /// returns the seconds it took.
    @discardableResult
    public func finish(metrics: [(String, Double)]) -> Double {
        finish(metrics: metrics, trailer: "")
    }

    /// Like `finish(metrics:)`, with `trailer` (e.g. ` - 812 images/s`) appended to the final
    /// line as is, for figures that are not Keras-formatted metrics.
    @discardableResult
    public func finish(metrics: [(String, Double)], trailer: String) -> Double {
        if !started { start() }
        let elapsed = clock.now() - startTime
        let timing = String(format: "%.0fs ", elapsed)
            + ProgressFormat.timePerStep(steps > 0 ? elapsed / Double(steps) : 0)
        if output.isTerminal {
            let line = counter(steps) + " " + ProgressFormat.bar(current: steps, total: steps, width: width)
                + " - " + timing + ProgressFormat.metrics(metrics) + trailer
            if line.count < output.columns {
                redraw(line)
            } else {
                // The final figures are kept whole: clear the bar, then write them once.
                output.write("\r" + String(repeating: " ", count: lastWidth) + "\r" + line)
            }
            output.write("\n")
        } else {
            output.write("Epoch \(epoch)/\(totalEpochs) - \(steps)/\(steps) - \(timing)\(ProgressFormat.metrics(metrics))\(trailer)\n")
        }
        return elapsed
    }

    /// `45/92`, the step right-aligned to the width of the total as Keras does (` 5/92`).
    private func counter(_ step: Int) -> String {
        let total = String(steps)
        let current = String(step)
        return String(repeating: " ", count: max(0, total.count - current.count)) + current + "/" + total
    }

    /// Returns to the line start and overwrites, padding with spaces when the new text is
    /// shorter so no tail of the old line remains.
    /// The line is clipped to the terminal's width less one: a line that wraps cannot be
    /// redrawn in place, and every redraw would leave a line behind.
    private func redraw(_ line: String) {
        let line = TerminalText.clipped(line, columns: output.columns - 1)
        let pad = max(0, lastWidth - line.count)
        output.write("\r" + line + String(repeating: " ", count: pad))
        lastWidth = line.count
    }
}
