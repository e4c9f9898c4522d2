import ConvnetInterface
import XCTest
@testable import ConvnetTraining

/// `schedule ramp` against the flowers codelab's `lrfn` at every epoch: the arrays are the
/// notebook's function evaluated in Python (`scripts/make_ramp_fixture.py`), and the rates must be
/// the same doubles, bit for bit.
final class RampScheduleTests: XCTestCase {
    static let defaults: [Double] = [
        1e-05, 8.8e-05, 0.000166, 0.000244, 0.000322,
        0.0004, 0.000322, 0.0002596000000000001, 0.00020968000000000004, 0.00016974400000000002,
        0.00013779520000000003, 0.00011223616000000004, 9.178892800000003e-05, 7.543114240000003e-05, 6.234491392000002e-05,
        5.1875931136000024e-05, 4.3500744908800015e-05, 3.6800595927040014e-05, 3.1440476741632015e-05, 2.7152381393305616e-05,
        2.3721905114644494e-05, 2.0977524091715595e-05, 1.8782019273372477e-05, 1.702561541869798e-05, 1.5620492334958385e-05,
        1.4496393867966709e-05, 1.3597115094373368e-05, 1.2877692075498695e-05, 1.2302153660398955e-05, 1.1841722928319164e-05,
        1.1473378342655331e-05, 1.1178702674124267e-05, 1.0942962139299413e-05, 1.075436971143953e-05, 1.0603495769151624e-05,
        1.04827966153213e-05, 1.038623729225704e-05, 1.0308989833805632e-05, 1.0247191867044507e-05, 1.0197753493635605e-05,
    ]
    static let sustained: [Double] = [
        0.0001, 0.0007333333333333333, 0.0013666666666666666, 0.002, 0.002,
        0.002, 0.002, 0.002, 0.001415, 0.0010054999999999999,
        0.0007188499999999999, 0.0005181949999999999, 0.00037773649999999994, 0.00027941554999999995, 0.00021059088499999993,
        0.00016241361949999994, 0.00012868953364999998, 0.00010508267355499998, 8.855787148849998e-05, 7.699051004194998e-05,
        6.8893357029365e-05, 6.32253499205555e-05, 5.925774494438884e-05, 5.648042146107219e-05, 5.4536295022750534e-05,
        5.317540651592537e-05, 5.222278456114776e-05, 5.1555949192803435e-05, 5.10891644349624e-05, 5.076241510447368e-05,
        5.053369057313158e-05, 5.037358340119211e-05, 5.026150838083448e-05, 5.0183055866584136e-05, 5.0128139106608894e-05,
        5.008969737462623e-05, 5.006278816223836e-05, 5.004395171356685e-05, 5.00307661994968e-05, 5.002153633964776e-05,
    ]

    func testDefaultsAreTheXceptionNotebooks() {
        let ramp = RampSchedule()
        XCTAssertEqual([ramp.start, ramp.max, ramp.min, ramp.decay], [1e-5, 4e-4, 1e-5, 0.8])
        XCTAssertEqual([ramp.rampup, ramp.sustain], [5, 0])
        for epoch in 0..<40 {
            XCTAssertEqual(LearningRateSchedule.ramp(ramp).rate(epoch: epoch), Self.defaults[epoch], "epoch \(epoch)")
        }
        // The rates the codelab logs on 8 TPU replicas (references.md).
        let logged = [1e-5, 8.8e-5, 1.66e-4, 2.44e-4, 3.22e-4, 4e-4, 3.22e-4, 2.596e-4]
        for (epoch, rate) in logged.enumerated() {
            XCTAssertEqual(ramp.rate(epoch: epoch), rate, accuracy: 1e-12, "epoch \(epoch)")
        }
    }

    func testSustainAndOtherSettings() {
        let ramp = RampSchedule(start: 1e-4, max: 2e-3, min: 5e-5, rampup: 3, sustain: 4, decay: 0.7)
        for epoch in 0..<40 {
            XCTAssertEqual(ramp.rate(epoch: epoch), Self.sustained[epoch], "epoch \(epoch)")
        }
    }

    /// No ramp: the first epoch is already at max.
    func testZeroRampupStartsAtTheTop() {
        let ramp = RampSchedule(rampup: 0, sustain: 2)
        XCTAssertEqual((0..<4).map { ramp.rate(epoch: $0) }, [4e-4, 4e-4, 4e-4, (4e-4 - 1e-5) * 0.8 + 1e-5])
    }

    /// The ramp sets the rate itself, whatever the optimizer's `lr`; `--lr` moves its peak.
    func testConfigurationUsesTheRampAndLrMovesItsPeak() throws {
        let ramp = RampSchedule(rampup: 2)
        let model = ModelDescription(path: "m.convnet", inputShape: InputShape(height: 8, width: 8, channels: 3), classCount: 2,
                                     train: TrainDefaults(optimizer: .sgd(learningRate: 0.5, momentum: 0.9), schedule: .ramp(ramp)),
                                     parameters: [], hash: "h")
        let plain = try TrainingConfiguration(model: model, options: TrainingOptions())
        XCTAssertEqual(plain.schedule, .ramp(ramp))
        XCTAssertEqual(plain.schedule.rate(epoch: 2), 4e-4)
        let moved = try TrainingConfiguration(model: model, options: TrainingOptions(learningRate: 1e-3))
        XCTAssertEqual(moved.schedule.rate(epoch: 2), 1e-3)
        XCTAssertEqual(moved.schedule.rate(epoch: 0), 1e-5)
    }
}
