// ConvnetCodegen: the native target (`--emit-swift DIR`, `--run --target native`).
//
// - `SwiftEmitter` turns the native target's plan (`Pipeline.optimize(_, for: .native)`) for the training step and
//   inference into readable Swift: one class per program conforming to `ExecutableProgram`,
//   whose `run()` is straight-line code, one block per instruction, each opened by a comment
//   naming the `.convnet` line and layer (`LayerComments`), every shape and arena offset a
//   literal (`StorageLayout`), pointers named after values with their shapes beside them.
//   Convolution fusions become calls to ConvnetCPU's `ParallelConv` with the plan's `kernel=`
//   (and its pool or bias gradient, as the CPU executor runs them; nothing is re-decided), dense layers one GEMM plus epilogue, `fusion.loop` trees one specialised loop
//   (`ElementwiseEmitter`), backward fusions their producer plus the activation gradient in place
//   (`FusionEmitter`), everything else the ConvnetKernels call the CPU executor makes (`OpEmitter`,
//   `NormEmitter`).
// - One source of truth: the emitted program carries no runtime of its own. With a release
//   convnetc, `PrebuiltRuntime` compiles the model's three files with `swiftc` against
//   `libConvnetRuntime.so`, the library code convnetc runs, already built beside it. Otherwise
//   `NativeWorkspace` copies the library targets' own files into one cached SwiftPM package
//   shared by every model, so the libraries build once and each model compiles only its files.
//   Either way `main` calls `NativeMain`, which checks the embedded model with the front end and
//   runs the library's `Trainer` (or `Predictor` / `Evaluator`), so flags, output, metrics and
//   checkpoints are the CPU target's by construction.
// - `NativeTarget` is the driver's entry: `emit(model:to:)`, `run(model:options:)`,
//   `predict(...)`, `evaluate(...)`; builds are keyed by the emitted text, the emitter version
//   and a fingerprint of the libraries, so an unchanged model reuses its binary.
