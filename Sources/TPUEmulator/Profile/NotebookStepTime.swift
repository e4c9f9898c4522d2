import ConvnetSupport

/// The real step time the cost model is compared with, and why the two differ.
///
/// The codelab's solution notebook (the model of samples/flowers.convnet, 293,233 parameters)
/// logged 64-110 ms per training step at batch 128 (16 per core) on a Cloud TPU v2-8.
///
/// What the cost model says for the same step (`TPUProfiler.report(flowers, globalBatch: 128,
/// cores: 8, training:)`, `TPUDevice.tpuV2`: 700 MHz, 128x128 MXU, 1,024 VPU lanes, 300 GB/s
/// HBM per core, 62 GB/s links; measured with
/// `CONVNETC_PRINT_PROFILE=1 swift test --filter TPUEmulatorTests.ProfileFlowersTests`, and with
/// the optimizer's default pipeline passed as `optimize:`):
///
/// | program costed | layout | training step | inference |
/// |---|---|---|---|
/// | builder's graph (unfused) | exact | 20.1 ms (14,061,682 cycles) | 6.3 ms |
/// | builder's graph (unfused) | (8,128) tiles | 39.8 ms | 16.2 ms |
/// | optimizer pipeline (fused, im2col) | exact | 20.0 ms | 4.2 ms |
/// | optimizer pipeline (fused, im2col) | (8,128) tiles | 32.9 ms | 6.9 ms |
///
/// Breakdown of the unfused, exact training step: 9.91 M MXU cycles (70% of the step), 0.29 M
/// VPU cycles, 3.8 M cycles where HBM traffic (2.4 GB per core) outlasts the compute of
/// elementwise and pooling ops, and 23,175 cycles (0.2%) for the ring all-reduce of 1.17 MB of
/// gradients. The two costliest ops are the filter gradients of the first two convolutions
/// (17% and 13%): weight-stationary puts their reduction over 16*192*192 = 589,824 pixels on
/// the array's 128 rows, so the array is reloaded 4,608 times to stream only 27 or 144 rows
/// each (0.8% and 6.4% MXU utilisation). The whole step uses 10.5% of the MXU's peak.
///
/// So the model is 3.2x-5.5x faster than the notebook (1.6x-2.8x with the tiled layout). What
/// it leaves out, roughly from the largest:
///
/// - The input pipeline: the notebook decodes and resizes 128 JPEGs per step on the TPU host's
///   CPU (from TFRecords on Cloud Storage) and feeds them to the TPU; 64-110 ms per step is
///   1,200-2,000 images/s, a plausible decode rate for that host, so the real step is likely
///   input-bound, not TPU-bound.
/// - Per-step host overhead: Keras of that era ran one step per host-to-TPU round trip
///   (no `steps_per_execution`), plus the metrics' device-to-host copies every step.
/// - XLA's (8, 128) layout: channel counts 16-130 are padded to 128 lanes (up to 8x the bytes
///   of conv2d's activations); `TileLayout.tiled8x128` models that part and adds ~20 ms.
/// - XLA's own choices: convolution algorithms and dataflow (it would not run a 589,824-deep
///   reduction weight-stationary), fusion boundaries, rematerialisation, and the HBM traffic of
///   im2col patches when a convolution is lowered that way (priced here only where our
///   optimizer materialises them).
/// - Ops run strictly one after another with no launch cost, pipeline fill, or overlap
///   between neighbours; the all-reduce has no link latency and no synchronisation cost.
/// - The device figures themselves (clock, per-core bandwidth, link speed, VPU width) are
///   public or assumed values documented on `TPUDevice`, not measurements.
public enum NotebookStepTime {
    /// The solution notebook's logged step time on a Cloud TPU v2-8 at batch 128, in seconds.
    public static let tpuV2Seconds: ClosedRange<Double> = 0.064...0.110
    /// The batch that figure is for (16 per core on 8 cores).
    public static let globalBatch = 128

    /// One line comparing a modelled training step with the notebook's, e.g. `real TPU v2-8
    /// (solution notebook, batch 128): 64-110 ms/step; modelled: 20.088 ms (3.2x-5.5x faster)`.
    /// Nil unless the report is a training step at batch 128 on a TPU v2-8 (`TPUDevice.tpuV2`),
    /// the only setting the figure applies to.
    public static func comparison(_ report: ProfileReport) -> String? {
        let v2 = TPUDevice.tpuV2  // the board the notebook ran on: another --cores, --mxu or --clock is not it
        guard report.mode == .training, report.globalBatch == globalBatch, report.cores == v2.cores,
              report.device.mxu == v2.mxu, report.device.clockHz == v2.clockHz,
              report.stepSeconds > 0 else { return nil }
        let low = tpuV2Seconds.lowerBound / report.stepSeconds, high = tpuV2Seconds.upperBound / report.stepSeconds
        let verdict = low >= 1
            ? "\(NumberFormat.fixed(low, 1))x-\(NumberFormat.fixed(high, 1))x faster"
            : "\(NumberFormat.fixed(1 / high, 1))x-\(NumberFormat.fixed(1 / low, 1))x slower"
        return "real TPU v2-8 (solution notebook, batch 128): 64-110 ms/step; modelled: "
            + "\(NumberFormat.fixed(report.stepSeconds * 1000, 3)) ms (\(verdict)); see NotebookStepTime for why"
    }
}
