import ConvnetSupport

/// `convnetc stats` output: a text report and the same figures as ordered JSON.
extension ProgramStats {
    /// The human-readable report.
    public func table() -> String {
        var lines: [String] = []
        lines.append("Optimized training step, batch \(batch)")
        lines.append("")
        lines.append("FLOPs   forward (inference) \(NumberFormat.grouped(forwardFlops))"
                     + "   training step \(NumberFormat.grouped(trainingStepFlops))"
                     + "   ratio \(NumberFormat.fixed(flopRatio, 3))")
        for (name, b) in [("training step", trainingBuffers), ("inference", inferenceBuffers)] {
            lines.append("Memory  \(name): arena \(NumberFormat.bytes(b.arenaBytes))"
                         + " (live peak \(NumberFormat.bytes(b.liveLowerBound)))"
                         + " vs \(NumberFormat.bytes(b.naiveBytes)) one buffer per value"
                         + ", + fusion scratch \(NumberFormat.bytes(b.scratchBytes))")
        }
        lines.append("")
        lines.append("Ops: " + opCounts.map { "\($0.op) \($0.count)" }.joined(separator: ", "))
        lines.append("Fusions: " + (fusionCounts.isEmpty ? "none" : fusionCounts.map { "\($0.kind) \($0.count)" }.joined(separator: ", ")))
        lines.append("")
        let header = ["Layer", "Product", "M", "K", "N", "Folds", "Cycles", "Util"]
        let rows = matmuls.map { m in
            [m.layer, m.role.rawValue, NumberFormat.grouped(m.plan.m), NumberFormat.grouped(m.plan.k),
             NumberFormat.grouped(m.plan.n), "\(m.plan.rowFolds)x\(m.plan.colFolds)",
             NumberFormat.grouped(m.plan.cycles), NumberFormat.percent(m.plan.utilization)]
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max()! + 2 }
        func render(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                i < 2 ? NumberFormat.padRight(cell, widths[i]) : NumberFormat.padLeft(cell, widths[i])
            }.joined()
        }
        lines.append("MXU plans (weight stationary, \(matmuls.first?.plan.array.description ?? "128x128")):")
        lines.append(render(header))
        lines.append(contentsOf: rows.map(render))
        let cycles = matmuls.reduce(0) { $0 + $1.plan.cycles }
        lines.append("total MXU cycles \(NumberFormat.grouped(cycles))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same figures as JSON (keys in the table's order).
    public func json() -> JSON {
        func buffers(_ b: BufferAssignment) -> JSON {
            .object([("arena_bytes", .int(b.arenaBytes)), ("live_peak_bytes", .int(b.liveLowerBound)),
                     ("naive_bytes", .int(b.naiveBytes)), ("fusion_scratch_bytes", .int(b.scratchBytes))])
        }
        return .object([
            ("batch", .int(batch)),
            ("forward_flops", .int(forwardFlops)),
            ("training_step_flops", .int(trainingStepFlops)),
            ("flop_ratio", .double(flopRatio)),
            ("training_memory", buffers(trainingBuffers)),
            ("inference_memory", buffers(inferenceBuffers)),
            ("ops", .object(opCounts.map { ($0.op, .int($0.count)) })),
            ("fusions", .object(fusionCounts.map { ($0.kind, .int($0.count)) })),
            ("matmuls", .array(matmuls.map { m in
                .object([("layer", .string(m.layer)), ("product", .string(m.role.rawValue)),
                         ("m", .int(m.plan.m)), ("k", .int(m.plan.k)), ("n", .int(m.plan.n)),
                         ("folds", .int(m.plan.folds)), ("row_folds", .int(m.plan.rowFolds)),
                         ("col_folds", .int(m.plan.colFolds)), ("cycles", .int(m.plan.cycles)),
                         ("utilization", .double(m.plan.utilization))])
            })),
        ])
    }
}
