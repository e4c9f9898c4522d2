#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a program to completion and reports its own peak resident memory (`ru_maxrss` from
/// `wait4` on that child alone, so one measurement never includes another's) and wall time.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        /// Peak resident set size, bytes.
        var peakRSS: Int
        var seconds: Double
    }

    static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                    log: String) -> Outcome? {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let start = Stopwatch.now()
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0 else { return nil }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { return nil }
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exit, peakRSS: Int(usage.ru_maxrss) * 1024, seconds: Stopwatch.now() - start)
    }
}
