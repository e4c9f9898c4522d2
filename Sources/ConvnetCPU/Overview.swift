// ConvnetCPU: the `--target cpu` backend. IR program in, `CPUExecutable` out.
//
// - `CPUCompiler.compileCPU(program, plan:)` walks the graph once. Every value gets its place
//   from a `BufferPlan` (today `NaiveBufferPlan`: one slice per value, reshapes alias; the
//   optimizer's liveness-based assignment can be plugged in without touching any step). Each
//   instruction becomes a `Step`: a closure bound to raw pointers. `run()` calls the steps in
//   order: no lookup, no allocation (fusion temporaries, statistics and the shared im2col
//   scratch are allocated at compile time, in `Arena`).
// - Ops map onto ConvnetKernels (BLAS GEMMs, pooling, batch norm, softmax/cross-entropy,
//   epilogues); pointwise ops and loop fusions run as one tiled pass (`ElementwiseLoop`);
//   dropout uses the IR's `DropoutMask` so every backend draws the same mask.
// - Convolutions (`ParallelConv`) cut the batch into two fixed image halves, one per core, each
//   running single-threaded GEMMs on bands of output rows whose im2col columns stay in L2
//   (`BandIm2col`). The cut does not depend on the thread count, so results are bit-identical
//   with 1 or 2 BLAS threads and from run to run.
// - With `optimize` (default) the executor fuses adjacent conv2d/matmul + bias_add (+ activation)
//   into one kernel call with the epilogue, and activation_grad + bias_grad into one pass. IR
//   fusions are recognised by body shape (conv/matmul epilogues, elementwise chains) and any
//   other body runs as its own steps. `custom` ops are a compile error.
// - `CPUExecutable.profiling` / `profile` / `profileTable()` time every step by op and layer.
