// ConvnetKernels: the fp32 CPU kernels every backend calls to run the IR.
//
// Conventions, shared by every kernel in this module:
// - Layouts are Keras': activations NHWC, conv weights HWIO (KH, KW, Cin, F), dense weights
//   (in, out), all row-major fp32. Shapes are passed as explicit values (`ConvGeometry`,
//   `PoolGeometry`, or plain counts) next to raw pointers, and written beside each buffer in
//   the doc comments: `// (B, H, W, C)`.
// - No kernel allocates per call on the heap for its data: the caller owns every buffer, and a
//   kernel that needs scratch takes it as a parameter and says how much (`Conv2D.scratchCount`).
//   Small per-channel accumulators use `withUnsafeTemporaryAllocation` (stack).
// - Work OpenBLAS does not do is split over the cores with `Parallel` (GCD concurrentPerform).
//   Results do not depend on the split: element-wise loops write disjoint ranges, and
//   reductions (bias gradient, batch statistics) use a fixed chunking and sum the partials in
//   order, in Float64. Two runs give bit-identical results.
// - Every fast kernel has a naive twin under Reference/, generic over Float and Double: Float
//   to stand in for the fast kernel, Double to be the oracle of the finite-difference tests.
// - `BLAS.swift` is the only file that imports CBLAS. OpenBLAS' own thread count is
//   process-wide (`BLASInfo.setThreadCount`); on a loaded machine 1 thread was measured faster
//   than 2 for conv-shaped GEMMs (see the kernels report).
