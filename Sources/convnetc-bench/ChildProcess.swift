#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a program to completion and reports its own peak resident memory and wall time.
///
/// The peak is the child's `VmHWM` (`/proc/PID/status`), read every 20 ms while it runs: that
/// counter belongs to the address space `exec` gave the program. `ru_maxrss` from `wait4` would
/// not do: Linux carries the spawning process's own peak into it at `exec`, so every child of
/// this (large) benchmark process would report at least the benchmark's size.
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
        var peak = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            guard done == 0 else { return nil }
            peak = max(peak, highWaterMark(pid: pid))
            usleep(20_000)
        }
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exit, peakRSS: peak, seconds: Stopwatch.now() - start)
    }

    /// `VmHWM` of a running process, bytes (0 when it cannot be read, e.g. before `exec`).
    static func highWaterMark(pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
        return kib * 1024
    }
}
