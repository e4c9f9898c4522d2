import ConvnetSema
import ConvnetSyntax

/// Keras' weights for each layer, in Keras' order within the layer.
extension IRBuilder {
    /// Every weight of `model` in node order (the graph's topological order, Keras' order of
    /// layer creation): the list the trainer initialises and checkpoints.
    public static func parameters(of model: CheckedModel) -> [ParameterInfo] {
        model.layers.flatMap { parameters(of: $0) }
    }

    /// One layer's weights, in the order Keras creates them: a Keras 3 `.weights.h5` stores
    /// the i-th at `layers/<layer>/vars/<i>`, so this list is also what `KerasWeightsH5` maps
    /// those indices to.
    public static func parameters(of layer: CheckedLayer) -> [ParameterInfo] {
        let n = layer.name
        let cin = layer.inputShape.channels
        switch layer.kind {
        case .conv(let c):
            let kernel = [c.kernelHeight, c.kernelWidth, cin, c.filters]
            let area = c.kernelHeight * c.kernelWidth
            let weights = [ParameterInfo(name: n + "/kernel", layer: n, shape: kernel, trainable: true,
                                         initializer: .glorotUniform(fanIn: area * cin, fanOut: area * c.filters))]
            return weights + (c.useBias ? [ParameterInfo(name: n + "/bias", layer: n, shape: [c.filters],
                                                         trainable: true, initializer: .zeros)] : [])
        case .depthwiseConv(let d):
            // Keras 3: `depthwise_conv2d/kernel` (K, K, Cin, M); Keras' fans for that shape are
            // fanIn K*K*Cin, fanOut K*K*M.
            let area = d.kernelHeight * d.kernelWidth
            return [
                ParameterInfo(name: n + "/kernel", layer: n, shape: [d.kernelHeight, d.kernelWidth, cin, d.multiplier],
                              trainable: true, initializer: .glorotUniform(fanIn: area * cin, fanOut: area * d.multiplier)),
                ParameterInfo(name: n + "/bias", layer: n, shape: [cin * d.multiplier], trainable: true, initializer: .zeros),
            ]
        case .separableConv(let c):
            let area = c.kernelHeight * c.kernelWidth
            let middle = cin * c.multiplier
            return [
                ParameterInfo(name: n + "/depthwise_kernel", layer: n, shape: [c.kernelHeight, c.kernelWidth, cin, c.multiplier],
                              trainable: true, initializer: .glorotUniform(fanIn: area * cin, fanOut: area * c.multiplier)),
                ParameterInfo(name: n + "/pointwise_kernel", layer: n, shape: [1, 1, middle, c.filters],
                              trainable: true, initializer: .glorotUniform(fanIn: middle, fanOut: c.filters)),
                ParameterInfo(name: n + "/bias", layer: n, shape: [c.filters], trainable: true, initializer: .zeros),
            ]
        case .dense(let d):
            let fanIn = layer.inputShape.elementCount ?? cin
            return [
                ParameterInfo(name: n + "/kernel", layer: n, shape: [fanIn, d.units], trainable: true,
                              initializer: .glorotUniform(fanIn: fanIn, fanOut: d.units)),
                ParameterInfo(name: n + "/bias", layer: n, shape: [d.units], trainable: true, initializer: .zeros),
            ]
        case .batchNorm:
            return [
                ParameterInfo(name: n + "/gamma", layer: n, shape: [cin], trainable: true, initializer: .ones),
                ParameterInfo(name: n + "/beta", layer: n, shape: [cin], trainable: true, initializer: .zeros),
                ParameterInfo(name: n + "/moving_mean", layer: n, shape: [cin], trainable: false, initializer: .zeros),
                ParameterInfo(name: n + "/moving_variance", layer: n, shape: [cin], trainable: false, initializer: .ones),
            ]
        case .maxPool, .avgPool, .globalAveragePool, .flatten, .dropout, .activation, .concat, .add:
            return []
        }
    }
}
