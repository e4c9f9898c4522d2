import ConvnetKernels

/// Max and average pooling (valid padding), the spatial mean (`gap`), and their gradients:
/// tensor-level wrappers over `PoolingReference`.
extension ReferenceKernels {
    /// The kernels' geometry for a pool over x (B,H,W,C).
    static func poolGeometry(_ x: [Int], _ p: PoolAttributes) -> PoolGeometry {
        PoolGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], channels: x[3], pool: p.size, stride: p.stride)
    }

    /// y (B,OH,OW,C) = max (or mean) over each window of x (B,H,W,C)
    static func pool<S: IRScalar>(_ x: Tensor<S>, _ p: PoolAttributes, isMax: Bool) -> Tensor<S> {
        let g = poolGeometry(x.shape, p)
        return make([g.batch, g.outHeight, g.outWidth, g.channels]) { y in
            read(x) { xp in PoolingReference.forward(g, input: xp, output: y, isMax: isMax) }
        }
    }

    /// y (B,OH,OW,C) = max over each window of x (B,H,W,C); ties go to the earliest tap.
    public static func maxPool<S: IRScalar>(_ x: Tensor<S>, _ p: PoolAttributes) -> Tensor<S> { pool(x, p, isMax: true) }

    /// dx (B,H,W,C): each window's dy goes to its first maximum.
    public static func maxPoolGrad<S: IRScalar>(_ x: Tensor<S>, _ dy: Tensor<S>, _ p: PoolAttributes) -> Tensor<S> {
        let g = poolGeometry(x.shape, p)
        return make(x.shape) { dx in
            read(x) { xp in read(dy) { dp in
                PoolingReference.backward(g, input: xp, outputGradient: dp, inputGradient: dx, isMax: true)
            } }
        }
    }

    /// y (B,OH,OW,C) = mean over each window of x (B,H,W,C)
    public static func avgPool<S: IRScalar>(_ x: Tensor<S>, _ p: PoolAttributes) -> Tensor<S> { pool(x, p, isMax: false) }

    /// dx (B,H,W,C): each window's dy spread evenly over it.
    public static func avgPoolGrad<S: IRScalar>(_ dy: Tensor<S>, inputShape: [Int], _ p: PoolAttributes) -> Tensor<S> {
        let g = poolGeometry(inputShape, p)
        return make(inputShape) { dx in
            read(dy) { dp in PoolingReference.averageBackward(g, outputGradient: dp, inputGradient: dx) }
        }
    }

    /// y (B,C) = mean over H and W of x (B,H,W,C)
    public static func spatialMean<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        let (b, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return make([b, c]) { y in
            read(x) { xp in PoolingReference.globalAverageForward(batch: b, height: h, width: w, channels: c, input: xp, output: y) }
        }
    }

    /// dx (B,H,W,C) = dy (B,C) / (H*W) at every pixel
    public static func spatialMeanGrad<S: IRScalar>(_ dy: Tensor<S>, inputShape: [Int]) -> Tensor<S> {
        let (b, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        return make(inputShape) { dx in
            read(dy) { dp in
                PoolingReference.globalAverageBackward(batch: b, height: h, width: w, channels: c,
                                                       outputGradient: dp, inputGradient: dx)
            }
        }
    }
}
