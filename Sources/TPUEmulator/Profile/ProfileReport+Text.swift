import ConvnetSupport

/// The `convnetc profile` table: one line per op in program order, aligned columns with
/// thousands separators, a totals line, the all-reduce, the step time, and the top 3 ops.
extension ProfileReport {
    public func renderText() -> String {
        let header = ["#", "op", "layer", "MXU cycles", "VPU cycles", "est. cycles", "share", "MXU util", "bytes"]
        let rightAligned: Set<Int> = [0, 3, 4, 5, 6, 7, 8]
        func cells(_ r: ProfileRow, _ index: String) -> [String] {
            [index, r.op, r.layer, NumberFormat.grouped(r.mxuCycles), NumberFormat.grouped(r.vpuCycles),
             NumberFormat.grouped(r.estimatedCycles), NumberFormat.percent(share(of: r)),
             r.mxuCycles == 0 ? "-" : NumberFormat.percent(r.mxuUtilization(array: device.mxu)),
             NumberFormat.grouped(r.bytes)]
        }
        var table = [header] + rows.enumerated().map { cells($1, String($0 + 1)) }
        let t = totals
        var totalCells = cells(t, "")
        totalCells[5] = NumberFormat.grouped(computeCycles)
        totalCells[6] = NumberFormat.percent(totalCycles == 0 ? 0 : Double(computeCycles) / Double(totalCycles))
        totalCells[7] = t.mxuCycles == 0 ? "-" : NumberFormat.percent(t.mxuUtilization(array: device.mxu))
        table.append(totalCells)
        if mode == .training {
            table.append(["", "all-reduce", "gradients", "", "", NumberFormat.grouped(allReduceCycles),
                          NumberFormat.percent(allReduceShare), "-", NumberFormat.grouped(allReduceBytes)])
        }
        var widths = header.map(\.count)
        for line in table { for (i, c) in line.enumerated() { widths[i] = max(widths[i], c.count) } }
        func render(_ line: [String]) -> String {
            line.enumerated().map { i, c in
                rightAligned.contains(i) ? NumberFormat.padLeft(c, widths[i]) : NumberFormat.padRight(c, widths[i])
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))

        let what = mode == .training ? "training step" : "inference"
        let mhz = NumberFormat.fixed(device.clockHz / 1e6, 0)
        var out = "TPU profile: \(name.isEmpty ? "" : name + " ")\(what), \(cores) core\(cores == 1 ? "" : "s") x "
            + "\(perCoreBatch) examples (batch \(globalBatch)), \(device.mxu) MXU at \(mhz) MHz"
            + (layout == .exact ? "" : ", \(layout.rawValue) layout") + "\n"
        out += render(table[0]) + "\n" + rule + "\n"
        for line in table[1...rows.count] { out += render(line) + "\n" }
        out += rule + "\n"
        for line in table[(rows.count + 1)...] { out += render(line) + "\n" }
        out += "\n"
        let ms = NumberFormat.fixed(stepSeconds * 1000, 3)
        out += "step: \(NumberFormat.grouped(totalCycles)) cycles = \(ms) ms per step, "
            + "\(NumberFormat.fixed(examplesPerSecond, 0)) examples/s; "
            + "MXU utilisation over the step \(NumberFormat.percent(stepMXUUtilization))\n"
        let top = topRows(3).map { i in
            "#\(i + 1) \(rows[i].op) (\(rows[i].layer.isEmpty ? "-" : rows[i].layer)) \(NumberFormat.percent(share(of: rows[i])))"
        }
        out += "top 3: " + top.joined(separator: ", ") + "\n"
        return out
    }
}
