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
// - The executor runs the plan the optimizer's kernel selection wrote (`Pipeline.for(.cpu)`):
//   each fusion by its `FusionKind`, each convolution fusion with its `kernel=` (direct,
//   Winograd, or bands of im2col rows for OpenBLAS), pools and bias gradients that are a
//   fusion's second result computed by that fusion's kernel. Nothing is pattern-matched or
//   re-decided; a plan for another target's engine, or one the verifier rejects, is a
//   `CPUCompileError`. Convolutions a program compiled without the pipeline still holds run
//   banded. Each convolution step records its kernel (`CPUExecutable.convolutionKernels`).
// - Convolutions (`ParallelConv`) cut the batch into two fixed image halves, one per core, each
//   running the planned algorithm (single-threaded GEMMs on bands of output rows whose im2col
//   columns stay in L2, `BandIm2col`, when banded). The cut does not depend on the thread count,
//   so results are bit-identical with 1 or 2 BLAS threads and from run to run. `custom` ops are
//   a compile error.
// - `CPUExecutable.profiling` / `profile` / `profileTable()` time every step by op and layer.
