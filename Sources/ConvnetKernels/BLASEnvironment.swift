#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes OpenBLAS use the vector kernels this CPU supports.
///
/// Why: Debian's OpenBLAS 0.3.21 (`DYNAMIC_ARCH`) does not recognise the Xeon these programs run
/// on and falls back to its Prescott (SSE3) kernels, about 3x slower than SkylakeX ones for sgemm.
/// The library reads `OPENBLAS_CORETYPE` once, when it is loaded, before `main` runs, so setting
/// the variable from inside the running process is too late. The only in-process fix is to set
/// it and re-execute the same program image (`/proc/self/exe`) with the same arguments, once.
/// A second variable, `CONVNETC_BLAS_REEXEC`, marks the child so a failed choice never loops.
public enum BLASEnvironment {
    /// The variable OpenBLAS reads at load time.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set in the re-executed child so that it never re-executes again.
    public static let guardVariable = "CONVNETC_BLAS_REEXEC"

    /// The CPU feature flags of the first `flags` line of a /proc/cpuinfo text.
    public static func cpuFlags(fromCPUInfo text: String) -> Set<String> {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2,
                  parts[0].trimmingCharacters(in: " \t") == "flags" else { continue }
            return Set(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        }
        return []
    }

    /// The OpenBLAS core type to force for a CPU with these flags: "SkylakeX" with AVX-512F,
    /// "Haswell" with AVX2 and FMA, nil when neither applies.
    public static func coreType(forCPUFlags flags: Set<String>) -> String? {
        if flags.contains("avx512f") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The core type to re-execute with, or nil to run on as is. Pure, so it can be tested:
    /// re-execute only when neither variable is set, OpenBLAS picked Prescott, and the CPU offers
    /// something better.
    public static func reexecCoreType(environment: [String: String], coreName: String,
                                      cpuFlags: Set<String>) -> String? {
        if environment[coreTypeVariable] != nil || environment[guardVariable] != nil { return nil }
        guard coreName.lowercased() == "prescott" else { return nil }
        return coreType(forCPUFlags: cpuFlags)
    }

    /// Re-executes the current program once with `OPENBLAS_CORETYPE` set when OpenBLAS fell back
    /// to Prescott kernels on a CPU with AVX-512F (SkylakeX) or AVX2 (Haswell). Call it first
    /// thing in `main`, before any output or threads. Returns normally when nothing is to be
    /// done or when `execv` fails (the program then runs on with the slow kernels).
    public static func reexecIfSlowCore() {
        var environment: [String: String] = [:]
        for name in [coreTypeVariable, guardVariable] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        // Cheap checks first: skip reading /proc/cpuinfo in the common, already-set case.
        if environment[coreTypeVariable] != nil || environment[guardVariable] != nil { return }
        let flags = cpuFlags(fromCPUInfo: readFile("/proc/cpuinfo") ?? "")
        guard let core = reexecCoreType(environment: environment, coreName: BLASInfo.coreName,
                                        cpuFlags: flags) else { return }
        setenv(coreTypeVariable, core, 1)
        setenv(guardVariable, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv only returns on failure; keep running with the kernels we have.
    }

    /// The environment for a child program that must run this process's BLAS kernels: `environment`
    /// with `OPENBLAS_CORETYPE` set to `coreName` (the kernels this process loaded,
    /// `BLASInfo.coreName`) when it is not set already. Pure, so it can be tested.
    ///
    /// Why: a native binary re-executes itself with SkylakeX kernels when it finds Prescott ones
    /// and no variable (`reexecIfSlowCore`), but a process that did not re-execute (a test run,
    /// a debug tool) keeps Prescott's. The two sgemm kernels add products in other orders (SSE3
    /// mul-add against AVX-512 FMA), so the CPU target in the parent and the native binary it
    /// launched disagreed in the last bits of every GEMM, which Adam turned into weights apart by
    /// 3.5e-7 within two epochs. Given the parent's core, the child loads the same kernels.
    public static func pinningCoreType(_ environment: [String: String], coreName: String) -> [String: String] {
        guard environment[coreTypeVariable] == nil, !coreName.isEmpty, coreName != "unknown" else { return environment }
        var pinned = environment
        pinned[coreTypeVariable] = coreName
        return pinned
    }

    /// The whole text of a small file such as /proc/cpuinfo (whose size reads as 0, so it is read
    /// in chunks until end of file).
    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if read <= 0 { break }
            bytes.append(contentsOf: chunk[0..<read])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}
