import ConvnetKernels
import ConvnetSupport
import Foundation

// `make bench`: the figures the issues ask for, measured in one process. Speeds are quoted next
// to a peer measured in the same run where there is one, because the machines are shared and noisy.

BLASEnvironment.reexecIfSlowCore()

struct BenchRow {
    var name: String
    var value: Double
    var unit: String
    var note: String = ""
}

let repo = CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath
var rows: [BenchRow] = []
rows += try FrontendBench.run(repo: repo)

let width = rows.map(\.name.count).max() ?? 0
print("convnetc benchmarks (OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"), BLAS core \(BLASInfo.coreName))")
for row in rows {
    print(NumberFormat.padRight(row.name, width + 2) + NumberFormat.padLeft(NumberFormat.fixed(row.value, 3), 12)
          + " " + NumberFormat.padRight(row.unit, 6) + row.note)
}
