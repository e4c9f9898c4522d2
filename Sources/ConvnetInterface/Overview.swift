// ConvnetInterface: the contract between the compiler and the runtime, and nothing else.
//
// - `ModelDescription`: what the training loop needs to know about a model (input shape, class
//   count, the train block's settings, every weight with its Keras name, shape and initialiser,
//   the hash that guards checkpoints). The compiler makes it from a checked model
//   (`ModelDescription(_:)` in ConvnetIR); a native binary carries it as emitted constants.
// - `CompiledProgram` / `ProgramInterface`: a program compiled by any backend, seen by its named
//   inputs and outputs; `ModelCompiler` hands out a model's training step and inference.
//
// It depends on no other module, so the runtime (ConvnetTraining, ConvnetNativeRuntime) links no
// part of the front end, the IR builder or the optimizer.
