// ConvnetNativeRuntime: what a generated native binary links besides the CPU target's kernels.
//
// - `NativeMain` is the binary's `main`: it checks the embedded model again with the front end
//   and runs the library's `Trainer` (or `predict` / `evaluate` / `bench`, `NativeCommands`)
//   with the emitted programs (`NativeProgramCompiler`), so flags (`TrainingArguments`),
//   output, metrics and checkpoints are the CPU target's by construction.
// - `NativeArena` is the emitted programs' storage: the buffer plan's block laid out at
//   emission time, the im2col scratch, and the side block kernels leave for later kernels.
// - Kept apart from the emitter (ConvnetCodegen) so that a binary does not compile or link the
//   emitter: the native workspace builds this module, not that one.
