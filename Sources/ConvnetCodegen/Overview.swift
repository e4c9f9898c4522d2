// ConvnetCodegen: the native target (`--emit-swift DIR`, `--run --target native`).
//
// - `SwiftEmitter` turns the native target's plan (`Pipeline.optimize(_, for: .native)`) for the training step and
//   inference into readable Swift: one class per program conforming to `CompiledProgram`,
//   whose `run()` is straight-line code, one block per instruction, each opened by a comment
//   naming the `.convnet` line and layer (`LayerComments`), every shape and arena offset a
//   literal (`StorageLayout`), pointers named after values with their shapes beside them.
//   Convolution fusions become calls to ConvnetKernels' `ParallelConv` with the plan's `kernel=`
//   (and its pool or bias gradient, as the CPU executor runs them; nothing is re-decided), dense
//   layers one GEMM plus epilogue, `fusion.loop` trees one
//   specialised loop (`ElementwiseEmitter`), backward fusions their producer plus the activation
//   gradient in place (`FusionEmitter`), everything else the ConvnetKernels call the CPU executor
//   makes (`OpEmitter`, `NormEmitter`). `Model.swift` holds the model as constants
//   (`ModelLiteral`: the `ModelDescription` and both programs' interfaces).
// - One runtime: the emitted program carries no copy of any library and no part of the compiler.
//   It links convnetc's `ConvnetRuntime` product (its module list is `runtimeModules` in
//   `Package.swift`): with a release convnetc, `PrebuiltRuntime` compiles the model's files with
//   `swiftc` against `libConvnetRuntime.so` built beside it; otherwise `NativeWorkspace` writes a
//   SwiftPM package whose model targets depend on that product by path. `main` calls
//   `NativeMain`, which runs the library's `Trainer` (or `Predictor` / `Evaluator`).
// - `NativeTarget` is the driver's entry: `emit(model:to:)`, `run(model:options:)`,
//   `predict(...)`, `evaluate(...)`; builds are keyed by the emitted text, the emitter version
//   and a fingerprint of the runtime, so an unchanged model reuses its binary.
