// ConvnetNativeRuntime: what a generated native binary links besides the kernels.
//
// - `NativeMain` is the binary's `main`: it parses the command line with convnetc's own
//   ArgumentParser types (`NativeCommand`: `train`, `predict`, `evaluate`, `bench`; ConvnetFlags)
//   and runs the library's `Trainer`, `Predictor` or `Evaluator` on the emitted programs
//   (`NativeModelCompiler`), so output, metrics and checkpoints are the other targets'.
// - The model is emitted constants (`ModelDescription`: input shape, weights with their Keras
//   names, shapes and initialisers, class count, train settings, model hash): the binary never
//   reads the `.convnet` file, and links no part of the front end, IR builder or optimizer.
// - `NativeArena` is the emitted programs' storage: the buffer plan's block laid out at
//   emission time, the im2col scratch, and the side block kernels leave for later kernels.
