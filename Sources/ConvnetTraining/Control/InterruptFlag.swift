import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C presses seen since the handler was installed. A global atomic because a C signal
/// handler can capture nothing; lock-free atomic loads and stores are async-signal-safe.
private let interruptPresses = Atomic<Int>(0)

/// The C signal handler for SIGINT and SIGTERM alike (a `kill`, a job scheduler or a closing
/// terminal asks as politely as Ctrl-C does): counts the request; on the second one leaves at once
/// with the shell's conventional status (128 + signal), using only async-signal-safe calls.
private func handleInterrupt(_ signal: Int32) {
    let presses = interruptPresses.add(1, ordering: .sequentiallyConsistent).newValue
    if InterruptFlag.action(forPress: presses) == .exitNow {
        let message: StaticString = "\nInterrupted again: exiting now without saving.\n"
        _ = Glibc.write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
        _exit(128 + signal)
    } else if signal == SIGTERM {
        let message: StaticString = "\nTerminated: stopping after this step; the last completed epoch is saved.\n"
        _ = Glibc.write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
    } else {
        let message: StaticString = "\nInterrupted: stopping after this step; the last completed epoch is saved (Ctrl-C again to quit now).\n"
        _ = Glibc.write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
    }
}

/// The signals a run stops cleanly on.
private let handledSignals: [Int32] = [SIGINT, SIGTERM]

/// Lets a training loop stop cleanly on Ctrl-C: the first press sets `interrupted`, which the
/// loop checks between steps to save a checkpoint and exit; a second press exits immediately.
///
/// A `sigaction` handler is used rather than a Dispatch signal source because on Linux the
/// latter relies on blocking the signal in one thread (signalfd), which misses a SIGINT that
/// the kernel delivers to any other thread of a multi-threaded trainer.
public final class InterruptFlag: Sendable {
    /// What a press of Ctrl-C does, by its rank.
    public enum Action: Equatable, Sendable {
        /// Ask the loop to stop at the next step boundary.
        case stopAfterStep
        /// Leave the process now.
        case exitNow
    }

    /// The policy: the first press asks politely, any further press exits.
    public static func action(forPress press: Int) -> Action {
        press <= 1 ? .stopAfterStep : .exitNow
    }

    private let previous: Mutex<[Int32: sigaction]> = Mutex([:])

    /// A flag with no handler installed yet (`interrupted` stays false until `install()`).
    public init() {}

    /// Installs the SIGINT and SIGTERM handler and clears earlier presses. Only one flag should be
    /// installed at a time (the press count is process-wide, like the signal).
    public func install() {
        interruptPresses.store(0, ordering: .sequentiallyConsistent)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { handleInterrupt($0) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        for signal in handledSignals {
            var old = sigaction()
            sigaction(signal, &action, &old)
            previous.withLock { $0[signal] = old }
        }
    }

    /// Restores the handlers that were in place before `install()`.
    public func uninstall() {
        previous.withLock { saved in
            for (signal, old) in saved {
                var old = old
                sigaction(signal, &old, nil)
            }
            saved = [:]
        }
    }

    /// True once Ctrl-C has been pressed since `install()`; check it between steps.
    public var interrupted: Bool { interruptPresses.load(ordering: .sequentiallyConsistent) > 0 }

    /// Presses so far (0, 1; a second press never returns).
    public var presses: Int { interruptPresses.load(ordering: .sequentiallyConsistent) }

    /// Marks the flag as interrupted without a signal, e.g. from a time limit or a test.
    public func request() {
        interruptPresses.add(1, ordering: .sequentiallyConsistent)
    }

    deinit { uninstall() }
}
