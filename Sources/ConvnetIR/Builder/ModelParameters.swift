import ConvnetSema
import ConvnetSyntax

/// Keras' weights for each layer, in Keras' order within the layer.
extension IRBuilder {
    /// Every weight of `model` in layer order: the list the trainer initialises and checkpoints.
    public static func parameters(of model: CheckedModel) -> [ParameterInfo] {
        model.layers.flatMap { parameters(of: $0) }
    }

    /// One layer's weights.
    public static func parameters(of layer: CheckedLayer) -> [ParameterInfo] {
        let n = layer.name
        let cin = layer.inputShape.channels
        switch layer.kind {
        case .conv(let c):
            let kernel = [c.kernelHeight, c.kernelWidth, cin, c.filters]
            let area = c.kernelHeight * c.kernelWidth
            return [
                ParameterInfo(name: n + "/kernel", layer: n, shape: kernel, trainable: true,
                              initializer: .glorotUniform(fanIn: area * cin, fanOut: area * c.filters)),
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
        case .maxPool, .avgPool, .globalAveragePool, .flatten, .dropout:
            return []
        }
    }
}
