import ConvnetSupport

/// `convnetc profile --format json`: the contract's keys first, in the contract's order, then
/// extra fields.
///
///     {"ops": [{"op", "layer", "mxu_cycles", "vpu_cycles", "mxu_utilization", "bytes",
///               "memory_cycles", "estimated_cycles", "share", "macs"}],
///      "total_cycles", "step_seconds",
///      "mode", "cores", "per_core_batch", "global_batch", "compute_cycles", "all_reduce_bytes",
///      "all_reduce_cycles", "clock_hz", "layout", "examples_per_second"}
extension ProfileReport {
    public var json: JSON {
        let ops: [JSON] = rows.map { r in
            .object([
                ("op", .string(r.op)),
                ("layer", .string(r.layer)),
                ("mxu_cycles", .int(r.mxuCycles)),
                ("vpu_cycles", .int(r.vpuCycles)),
                ("mxu_utilization", .double(r.mxuUtilization(array: device.mxu))),
                ("bytes", .int(r.bytes)),
                ("memory_cycles", .int(r.memoryCycles)),
                ("estimated_cycles", .int(r.estimatedCycles)),
                ("share", .double(share(of: r))),
                ("macs", .int(r.macs)),
            ])
        }
        return .object([
            ("ops", .array(ops)),
            ("total_cycles", .int(totalCycles)),
            ("step_seconds", .double(stepSeconds)),
            ("mode", .string(mode.rawValue)),
            ("cores", .int(cores)),
            ("per_core_batch", .int(perCoreBatch)),
            ("global_batch", .int(globalBatch)),
            ("compute_cycles", .int(computeCycles)),
            ("all_reduce_bytes", .int(allReduceBytes)),
            ("all_reduce_cycles", .int(allReduceCycles)),
            ("clock_hz", .double(device.clockHz)),
            ("layout", .string(layout.rawValue)),
            ("examples_per_second", .double(examplesPerSecond)),
        ])
    }
}
