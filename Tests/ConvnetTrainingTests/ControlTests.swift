import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetTraining

final class LearningRateScheduleTests: XCTestCase {
    func testConstant() {
        let s = LearningRateSchedule.constant(0.001)
        XCTAssertEqual((0..<5).map(s.rate(epoch:)), Array(repeating: 0.001, count: 5))
    }

    func testCosine() {
        let s = LearningRateSchedule.cosine(initial: 0.01, totalEpochs: 4)
        XCTAssertEqual(s.rate(epoch: 0), 0.01, accuracy: 1e-15)
        XCTAssertEqual(s.rate(epoch: 1), 0.01 * (1 + 0.5.squareRoot()) / 2, accuracy: 1e-15)  // cos(pi/4)
        XCTAssertEqual(s.rate(epoch: 2), 0.005, accuracy: 1e-15)
        XCTAssertEqual(s.rate(epoch: 4), 0, accuracy: 1e-15)
        XCTAssertEqual(s.rate(epoch: 9), 0, accuracy: 1e-15)  // stays at the floor after the end
        let floored = LearningRateSchedule.cosine(initial: 0.01, totalEpochs: 2, minimum: 0.001)
        XCTAssertEqual(floored.rate(epoch: 1), 0.0055, accuracy: 1e-15)
        XCTAssertEqual(floored.rate(epoch: 2), 0.001, accuracy: 1e-15)
    }

    func testExponential() {
        let s = LearningRateSchedule.exponential(initial: 0.01, decayRate: 0.5)
        XCTAssertEqual(s.rate(epoch: 0), 0.01)
        XCTAssertEqual(s.rate(epoch: 3), 0.00125, accuracy: 1e-15)
        XCTAssertEqual(s.initialRate, 0.01)
    }
}

extension LearningRateScheduleTests {
    func testNamed() {
        XCTAssertEqual(LearningRateSchedule.named("Cosine", initial: 0.01, totalEpochs: 20), .cosine(initial: 0.01, totalEpochs: 20))
        XCTAssertEqual(LearningRateSchedule.named("constant", initial: 0.01, totalEpochs: 20), .constant(0.01))
        XCTAssertEqual(LearningRateSchedule.named("exponential", initial: 0.01, totalEpochs: 20, decayRate: 0.8),
                       .exponential(initial: 0.01, decayRate: 0.8))
        XCTAssertNil(LearningRateSchedule.named("step", initial: 0.01, totalEpochs: 20))
    }
}

final class NonFiniteLossGuardTests: XCTestCase {
    func testFiniteProceeds() {
        XCTAssertEqual(NonFiniteLossGuard(learningRate: 0.001).check(loss: 12.5, epoch: 1, step: 1, stepsPerEpoch: 92), .proceed)
    }

    func testNaNStopsWithPlaceAndAdvice() {
        let verdict = NonFiniteLossGuard(learningRate: 0.1).check(loss: .nan, epoch: 3, step: 45, stepsPerEpoch: 92)
        guard case let .stop(message) = verdict else { return XCTFail("NaN must stop training") }
        XCTAssertEqual(message, """
            error: training stopped: the loss became NaN (not a number) at epoch 3, step 45/92
            help: lower the learning rate (now 0.1; try 0.01), check that the input pixels are scaled \
            to [0, 1] and that the labels match the number of classes; the last checkpoint before \
            this step is still valid
            """)
        guard case let .stop(inf) = NonFiniteLossGuard(learningRate: 0.1).check(loss: .infinity, epoch: 1, step: 2, stepsPerEpoch: 3) else {
            return XCTFail("infinity must stop training")
        }
        XCTAssertTrue(inf.contains("+infinity at epoch 1, step 2/3"))
    }
}

final class InterruptFlagTests: XCTestCase {
    func testPolicy() {
        XCTAssertEqual(InterruptFlag.action(forPress: 1), .stopAfterStep)
        XCTAssertEqual(InterruptFlag.action(forPress: 2), .exitNow)
    }

    func testFirstSIGINTSetsTheFlagAndUninstallRestoresTheHandler() {
        var before = sigaction()
        sigaction(SIGINT, nil, &before)
        let flag = InterruptFlag()
        flag.install()
        XCTAssertFalse(flag.interrupted)
        raise(SIGINT)  // handled synchronously on this thread by our handler
        XCTAssertTrue(flag.interrupted)
        XCTAssertEqual(flag.presses, 1)
        flag.uninstall()
        var after = sigaction()
        sigaction(SIGINT, nil, &after)
        XCTAssertEqual(unsafeBitCast(after.__sigaction_handler.sa_handler, to: Int.self),
                       unsafeBitCast(before.__sigaction_handler.sa_handler, to: Int.self))
    }

    /// The second Ctrl-C must end the process at once with status 130; checked in a forked
    /// child, which only calls async-signal-safe code before it exits.
    func testSecondSIGINTExitsWith130() {
        let flag = InterruptFlag()
        let pid = fork()
        if pid == 0 {
            flag.install()
            raise(SIGINT)
            raise(SIGINT)
            _exit(0)  // reached only if the second press did not exit
        }
        XCTAssertGreaterThan(pid, 0)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, 0), pid)
        XCTAssertEqual(status & 0x7F, 0, "the child must exit, not die of the signal")
        XCTAssertEqual((status >> 8) & 0xFF, 130)
    }

    func testRequestWithoutSignal() {
        let flag = InterruptFlag()
        flag.install()
        defer { flag.uninstall() }
        XCTAssertFalse(flag.interrupted)
        flag.request()
        XCTAssertTrue(flag.interrupted)
    }
}

final class JSONTests: XCTestCase {
    func testParseAndWriteRoundTrip() throws {
        let text = #"{"a":[1,-2.5,1e-05,true,false,null],"b":"x\"y\\z\n\u0001é/","c":{}}"#
        let value = try JSONParser.parse(text)
        XCTAssertEqual(value["a"], .array([.int(1), .double(-2.5), .double(1e-5), .bool(true), .bool(false), .null]))
        XCTAssertEqual(value["b"], .string("x\"y\\z\n\u{01}é/"))
        XCTAssertEqual(value.compactText, text)
        XCTAssertEqual(try JSONParser.parse(#""\ud83c\udf37""#), .string("🌷"))
    }

    func testRejects() {
        for bad in ["", "{", "[1,]", "01", "1.", "{\"a\":1}x", "\"\\ud83c\"", "\"\\u00g1\"", "{\"a\":1,\"a\":2}", "[" + String(repeating: "[", count: 100)] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad)
        }
    }
}
