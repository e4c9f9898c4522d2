import ConvnetKernels

/// Convolutions split over the cores by images, each core running single-threaded GEMMs on its
/// own im2col chunk.
///
/// Why: conv-shaped GEMMs (millions of rows, tens of columns) scale poorly inside OpenBLAS, and
/// im2col/col2im between them leave the second core idle; two independent image halves keep
/// both cores busy. The batch is always cut into the same `parts` halves (also when they run one
/// after the other), so the filter gradient's partial sums, and hence the results, do not depend
/// on how many threads ran them. The halves run concurrently only when OpenBLAS is set to one
/// thread; otherwise they run in turn and OpenBLAS threads each GEMM.
struct ParallelConv {
    let g: ConvGeometry
    /// Independent image ranges (1 or 2).
    let parts: Int
    /// Floats of scratch per part (a whole number of images).
    let partScratch: Int
    /// The scratch shared by every convolution of the program.
    let scratch: SharedScratch
    /// Filter-gradient partial sums of parts after the first (KH*KW*Cin, F) each.
    let partials: UnsafeMutablePointer<Float>?

    /// Reserves scratch and partial buffers for `g`, with `budget` floats of im2col per part.
    init(_ g: ConvGeometry, budget: Int, scratch: SharedScratch, arena: Arena, filterGradient: Bool) {
        self.g = g
        parts = g.batch >= 2 ? 2 : 1
        let perPart = (g.batch + parts - 1) / parts
        partScratch = g.isPointwise ? 0
            : Conv2D.scratchCount(g, imagesPerChunk: max(1, min(perPart, budget / max(g.pixelsPerImage * g.patchSize, 1))))
        self.scratch = scratch
        scratch.reserve(parts * partScratch)
        partials = filterGradient && parts > 1 ? arena.floats((parts - 1) * g.weightCount) : nil
    }

    private func images(_ part: Int) -> Range<Int> { CPUParallel.split(g.batch, parts, part) }

    private func columns(_ part: Int) -> UnsafeMutablePointer<Float> { scratch.pointer! + part * partScratch }

    /// Images per im2col chunk.
    private var chunk: Int { g.isPointwise ? g.batch : max(1, partScratch / (g.pixelsPerImage * g.patchSize)) }

    /// Runs `body(part)` for each part, concurrently when OpenBLAS runs single-threaded.
    private func eachPart(_ body: (Int) -> Void) {
        if parts > 1 && BLASInfo.threadCount == 1 {
            CPUParallel.perform(parts, body)
        } else {
            for p in 0..<parts { body(p) }
        }
    }

    /// y (N, OH, OW, F) = activation(conv(x, W) + bias)
    func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 activation: EpilogueActivation, output: UnsafeMutablePointer<Float>) {
        let f = g.filters, k = g.patchSize, pixels = g.pixelsPerImage
        eachPart { part in
            let range = images(part)
            for first in stride(from: range.lowerBound, to: range.upperBound, by: chunk) {
                let these = first..<min(first + chunk, range.upperBound)
                let out = output + first * pixels * f                     // (count*OH*OW, F)
                if g.isPointwise {
                    BLAS.gemm(m: these.count * pixels, n: f, k: k, a: input + first * pixels * k, b: weights, c: out)
                } else {
                    let col = columns(part)                               // (count*OH*OW, KH*KW*Cin)
                    Im2col.im2col(g, input: input, images: these, columns: col)
                    BLAS.gemm(m: these.count * pixels, n: f, k: k, a: col, b: weights, c: out)
                }
                Epilogue.biasActivation(out, rows: these.count * pixels, columns: f, bias: bias, activation: activation)
            }
        }
    }

    /// dX (N, H, W, Cin) = col2im(dY W^T)
    func backwardInput(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                       inputGradient: UnsafeMutablePointer<Float>) {
        let f = g.filters, k = g.patchSize, pixels = g.pixelsPerImage
        eachPart { part in
            let range = images(part)
            for first in stride(from: range.lowerBound, to: range.upperBound, by: chunk) {
                let these = first..<min(first + chunk, range.upperBound)
                let dy = outputGradient + first * pixels * f
                if g.isPointwise {
                    BLAS.gemm(m: these.count * pixels, n: k, k: f, a: dy, b: weights, transposeB: true,
                              c: inputGradient + first * pixels * k)
                } else {
                    let col = columns(part)
                    BLAS.gemm(m: these.count * pixels, n: k, k: f, a: dy, b: weights, transposeB: true, c: col)
                    Im2col.col2im(g, columns: col, images: these, inputGradient: inputGradient)
                }
            }
        }
    }

    /// dW (KH*KW*Cin, F) = sum over images of col(x)^T dY: each part sums its images chunk after
    /// chunk into its own buffer, then the parts are added in order.
    func backwardFilter(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                        weightGradient: UnsafeMutablePointer<Float>) {
        let f = g.filters, k = g.patchSize, pixels = g.pixelsPerImage, count = g.weightCount
        eachPart { part in
            let range = images(part)
            let dw = part == 0 ? weightGradient : partials! + (part - 1) * count
            for first in stride(from: range.lowerBound, to: range.upperBound, by: chunk) {
                let these = first..<min(first + chunk, range.upperBound)
                let a: UnsafePointer<Float>
                if g.isPointwise {
                    a = input + first * pixels * k
                } else {
                    Im2col.im2col(g, input: input, images: these, columns: columns(part))
                    a = UnsafePointer(columns(part))
                }
                BLAS.gemm(m: k, n: f, k: these.count * pixels, a: a, transposeA: true,
                          b: outputGradient + first * pixels * f, c: dw, accumulate: first > range.lowerBound)
            }
        }
        if parts > 1, let partials {
            for p in 1..<parts {
                let src = partials + (p - 1) * count
                for i in 0..<count { weightGradient[i] += src[i] }
            }
        }
    }
}
