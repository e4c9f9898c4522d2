import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A command that would need more memory than the machine has: what, how much, and a fix.
public struct MemoryShortfall: Error, Sendable, CustomStringConvertible {
    /// What was about to be allocated ("the CPU program's arena and scratch at batch 32").
    public var what: String
    public var neededBytes: Double
    public var availableBytes: Int
    /// The way out ("pass --batch 8 or less"); replaced by callers that know the user's setting.
    public var advice: String

    public init(what: String, neededBytes: Double, availableBytes: Int, advice: String) {
        self.what = what
        self.neededBytes = neededBytes
        self.availableBytes = availableBytes
        self.advice = advice
    }

    public var description: String {
        "error: \(what) needs \(MemoryBudget.describe(neededBytes)) but only \(MemoryBudget.describe(Double(availableBytes))) "
            + "of memory is available\nhelp: \(advice)"
    }

    /// Advice for memory that grows with the batch: the largest batch that fits (assuming
    /// proportional growth), else a smaller input.
    public static func batchAdvice(batch: Int, neededBytes: Double, availableBytes: Int) -> String {
        let fitting = Double(batch) * Double(availableBytes) / max(neededBytes, 1)
        if fitting >= 1 {
            return "pass --batch \(Int(fitting.rounded(.down))) or less (memory grows with the batch)"
        }
        return "even one image does not fit: use a smaller input (e.g. half the side: a quarter of the memory) "
            + "or fewer filters in the widest layers"
    }
}

/// Memory is checked before it is allocated: each large allocation (a compiled program's arena
/// and scratch, a decoded data set) reserves its bytes here first, and a reservation the machine
/// cannot hold throws `MemoryShortfall` with the figure and a fix, instead of a failed `calloc`,
/// a backtrace or the kernel's OOM killer. The arena is mapped lazily, so asking is the only
/// moment to refuse.
///
/// Available memory is `MemAvailable` from /proc/meminfo less what live reservations hold
/// (reserved pages may not be touched yet); `CONVNETC_MEMORY_LIMIT` (bytes) replaces it, for
/// tests and for sharing a machine.
public enum MemoryBudget {
    private static let reserved = Atomic<Int>(0)

    /// One live reservation; its bytes return to the budget when it is released or deinitialised.
    public final class Reservation: Sendable {
        public let bytes: Int
        private let released = Atomic<Bool>(false)

        init(bytes: Int) { self.bytes = bytes }

        public func release() {
            if !released.exchange(true, ordering: .sequentiallyConsistent) {
                MemoryBudget.reserved.subtract(bytes, ordering: .sequentiallyConsistent)
            }
        }

        deinit { release() }
    }

    /// Reserves `bytes` (a Double, so a size that overflows `Int` is still a size) or throws.
    /// - Parameter advice: how to need less, given the figures.
    public static func reserve(_ bytes: Double, for what: String,
                               advice: (_ needed: Double, _ available: Int) -> String) throws(MemoryShortfall) -> Reservation {
        let free = max(0, machineAvailableBytes() - reserved.load(ordering: .sequentiallyConsistent))
        guard bytes.isFinite, bytes <= Double(free) else {
            throw MemoryShortfall(what: what, neededBytes: bytes, availableBytes: free, advice: advice(bytes, free))
        }
        let n = Int(bytes)
        reserved.add(n, ordering: .sequentiallyConsistent)
        return Reservation(bytes: n)
    }

    /// Bytes the machine can give this process now (before reservations): `MemAvailable`, or
    /// less when the process's address space is limited (`ulimit -v`), since an arena is mapped
    /// whole and a mapping past the limit fails as surely as memory that is not there.
    public static func machineAvailableBytes() -> Int {
        if let text = getenv("CONVNETC_MEMORY_LIMIT"), let limit = Int(String(cString: text)), limit >= 0 { return limit }
        return min(meminfoAvailable() ?? Int.max / 4, addressSpaceLeft() ?? Int.max)
    }

    /// Room left under `RLIMIT_AS` (the limit less `VmSize` of /proc/self/status); nil without a limit.
    static func addressSpaceLeft() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return max(0, Int(clamping: limit.rlim_cur) - (statusKiB("VmSize:").flatMap { CheckedSize.product($0, 1024) } ?? 0))
    }

    /// `MemAvailable` of /proc/meminfo in bytes; nil where there is none.
    static func meminfoAvailable() -> Int? {
        kibField("MemAvailable:", of: "/proc/meminfo").flatMap { CheckedSize.product($0, 1024) }
    }

    /// A `Name:   123 kB` field of /proc/self/status, in KiB.
    static func statusKiB(_ name: String) -> Int? { kibField(name, of: "/proc/self/status") }

    /// The number of the first line of `file` starting with `name` (a /proc `Name: N kB` line).
    private static func kibField(_ name: String, of file: String) -> Int? {
        guard let handle = fopen(file, "r") else { return nil }
        defer { fclose(handle) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), handle) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            guard text.hasPrefix(name) else { continue }
            return Int(text.dropFirst(name.count).filter(\.isNumber))
        }
        return nil
    }

    /// `1.2 GiB`, `3.4e19 B` beyond what binary prefixes name.
    public static func describe(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = bytes, i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        if v >= 1024 { return CheckedSize.scientific(bytes) + " B" }
        let tenths = Int((v * 10).rounded())
        return i == 0 ? "\(Int(bytes)) B" : "\(tenths / 10).\(tenths % 10) \(units[i])"
    }
}
