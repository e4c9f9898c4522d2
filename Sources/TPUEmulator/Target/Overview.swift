// The `--target tpu` backend: the optimizer's program run on the emulated TPU board.
//
// - `TPUCompiler(cores:device:programSets:)` (name "tpu") is a `ProgramCompiler`. Every program
//   goes through `Pipeline.for(.tpu)` once; the CPU executor then runs it with `MXUEngine` as its
//   `MatmulEngine`, so every matmul and lowered convolution is an MXU pass (bfloat16 operands,
//   float32 accumulation in the systolic order, the device's weight-stationary `TilePlan`) and
//   everything else runs in float32, as on the vector unit.
// - Inference: one executable, the batch as given (one core; no number depends on the split).
// - Training: `TPUTrainingExecutable` presents `IRBuilder.trainingStep`'s names but runs the
//   given `DataParallelProgramSet`'s `gradient` program once per core shard (cores in order, on one compiled program), sums the
//   gradients in core order (`AllReduce`'s fixed order, so runs are bit-identical), and runs
//   its `update` program once for all cores. A batch that does not divide throws `DataParallelError`.
// - Cost: `TrainingStepCost` prices the optimized gradient and update graphs with
//   `TPUCostModel` plus the ring all-reduce; the executable reports it through ConvnetTraining's
//   `ModelledCostReporting`, which the epoch line prints (` - TPU model: 5.1 ms/step, MXU 10.3%`).
// - The driver (`Target.compiler`) cuts the data-parallel programs out of the training step's
//   IR at its gradients (`DataParallelProgramSet`), asking the builder for the step at the
//   per-core batch; `TPUCompiler(model:cores:)` does the same for tests and tools. Each program
//   is optimized once, here, and what runs is what the cost model prices.
