/// Plain loops for every op, one function per op, shapes written beside the buffers. Slow on
/// purpose: these are the ground truth the BLAS and TPU backends are tested against.
/// Each function takes its operands and returns a freshly allocated result.
public enum ReferenceKernels {}
