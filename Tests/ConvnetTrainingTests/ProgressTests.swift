import XCTest
@testable import ConvnetTraining

/// Golden strings for the progress bars, driven by a fake clock.
final class ProgressTests: XCTestCase {
    private func runEpoch(on output: CapturedOutput) {
        let clock = ManualClock(time: 100)
        let bar = EpochProgressBar(epoch: 3, totalEpochs: 20, steps: 92, output: output, clock: clock)
        bar.start()
        clock.time = 100.13
        bar.update(step: 1, metrics: [("loss", 2.3456), ("accuracy", 0.125)])
        clock.time = 100.14  // 10 ms later: too soon to redraw
        bar.update(step: 2, metrics: [("loss", 9), ("accuracy", 9)])
        clock.time = 105.85
        bar.update(step: 45, metrics: [("loss", 1.2345), ("accuracy", 0.4567)])
        clock.time = 111.96
        let seconds = bar.finish(metrics: [("loss", 1.1), ("accuracy", 0.5), ("val_loss", 1.3), ("val_accuracy", 0.45)])
        XCTAssertEqual(seconds, 11.96, accuracy: 1e-9)
    }

    func testEpochBarOnTerminal() {
        let out = CapturedOutput(isTerminal: true, columns: 200)
        runEpoch(on: out)
        let expected = "Epoch 3/20\n"
            + "\r 1/92 [..............................] - ETA: 11s - loss: 2.3456 - accuracy: 0.1250"
            + "\r45/92 [=============>................] - ETA: 6s - loss: 1.2345 - accuracy: 0.4567 "
            + "\r92/92 [==============================] - 12s 130ms/step - loss: 1.1000 - accuracy: 0.5000"
            + " - val_loss: 1.3000 - val_accuracy: 0.4500\n"
        XCTAssertEqual(out.text, expected)
    }

    func testEpochBarOffTerminalIsOneLine() {
        let out = CapturedOutput(isTerminal: false)
        runEpoch(on: out)
        XCTAssertEqual(out.text, "Epoch 3/20 - 92/92 - 12s 130ms/step - loss: 1.1000 - accuracy: 0.5000"
            + " - val_loss: 1.3000 - val_accuracy: 0.4500\n")
    }

    func testWorkBar() {
        let clock = ManualClock()
        let out = CapturedOutput(isTerminal: true)
        let bar = WorkProgressBar(label: "Decoding 3670 images", total: 3670, output: out, clock: clock)
        clock.advance(by: 2)
        bar.update(done: 1234)
        clock.advance(by: 0.05)  // inside the 0.1 s redraw interval
        bar.update(done: 1240)
        clock.time = 6
        bar.finish()
        bar.finish()
        XCTAssertEqual(out.text, "\rDecoding 3670 images [=========>....................] 1234/3670 ETA 3s"
            + "\rDecoding 3670 images [==============================] 3670/3670 6s    \n")

        let plain = CapturedOutput(isTerminal: false)
        let bar2 = WorkProgressBar(label: "Decoding 3670 images", total: 3670, output: plain, clock: clock)
        bar2.update(done: 10)
        clock.advance(by: 75)
        bar2.finish()
        XCTAssertEqual(plain.text, "Decoding 3670 images: 3670/3670 in 1:15\n")
    }

    func testFormats() {
        XCTAssertEqual(ProgressFormat.bar(current: 0, total: 10, width: 10), "[..........]")
        XCTAssertEqual(ProgressFormat.bar(current: 5, total: 10, width: 10), "[====>.....]")
        XCTAssertEqual(ProgressFormat.bar(current: 10, total: 10, width: 10), "[==========]")
        XCTAssertEqual(ProgressFormat.eta(3725), "1:02:05")
        XCTAssertEqual(ProgressFormat.eta(187.9), "3:07")
        XCTAssertEqual(ProgressFormat.eta(59.9), "59s")
        XCTAssertEqual(ProgressFormat.timePerStep(2.4), "2s/step")
        XCTAssertEqual(ProgressFormat.timePerStep(0.0005), "500us/step")
        XCTAssertEqual(ProgressFormat.metric(0.00001234), "1.2340e-05")
        XCTAssertEqual(ProgressFormat.metric(-0.5), "-0.5000")
        XCTAssertEqual(ProgressFormat.metric(.nan), "nan")
    }
}
