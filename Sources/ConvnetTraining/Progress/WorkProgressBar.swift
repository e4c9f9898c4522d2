import ConvnetSupport
/// Progress for long work other than training, e.g. decoding the data set:
/// `Decoding 3670 images [==========>...................] 1234/3670 ETA 5s`, redrawn with `\r`
/// on a terminal and ending with `Decoding 3670 images [===...===] 3670/3670 12s`. Off a
/// terminal only the final line is written, as `Decoding 3670 images: 3670/3670 in 12s`.
public final class WorkProgressBar {
    public let label: String
    public let total: Int
    private let output: ProgressOutput
    private let clock: TrainingClock
    private let width: Int
    private let interval: Double
    private let startTime: Double
    private var lastDraw = -Double.infinity
    private var lastWidth = 0
    private var finished = false

    /// Starts timing now. `label` describes the work ("Decoding 3670 images").
    public init(label: String, total: Int, output: ProgressOutput, clock: TrainingClock,
                width: Int = 30, interval: Double = 0.1) {
        self.label = label
        self.total = total
        self.output = output
        self.clock = clock
        self.width = width
        self.interval = interval
        self.startTime = clock.now()
    }

    /// Reports `done` of `total` items finished.
    public func update(done: Int) {
        guard output.isTerminal, !finished else { return }
        let now = clock.now()
        guard now - lastDraw >= interval else { return }
        lastDraw = now
        let elapsed = now - startTime
        let remaining = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        redraw("\(label) \(ProgressFormat.bar(current: done, total: total, width: width)) \(done)/\(total) ETA \(ProgressFormat.eta(remaining))")
    }

    /// Writes the final line; later calls do nothing.
    public func finish() {
        guard !finished else { return }
        finished = true
        let elapsed = ProgressFormat.eta(clock.now() - startTime)
        if output.isTerminal {
            redraw("\(label) \(ProgressFormat.bar(current: total, total: total, width: width)) \(total)/\(total) \(elapsed)")
            output.write("\n")
        } else {
            output.write("\(label): \(total)/\(total) in \(elapsed)\n")
        }
    }

    /// The line is clipped to the terminal's width less one: a line that wraps cannot be
    /// redrawn in place, and every redraw would leave a line behind.
    private func redraw(_ line: String) {
        let line = TerminalText.clipped(line, columns: output.columns - 1)
        let pad = max(0, lastWidth - line.count)
        output.write("\r" + line + String(repeating: " ", count: pad))
        lastWidth = line.count
    }
}
