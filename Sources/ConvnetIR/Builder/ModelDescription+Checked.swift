import ConvnetSema
import ConvnetSyntax

extension ModelDescription {
    /// What the runtime needs of a checked model: its weights (`IRBuilder.parameters(of:)`),
    /// shapes, train block and hash, as plain values.
    public init(_ model: CheckedModel) {
        let shape = InputShape(height: model.inputShape.height, width: model.inputShape.width,
                               channels: model.inputShape.channels)
        self.init(path: model.file.source.path, inputShape: shape, classCount: model.classCount,
                  train: model.train.defaults,
                  parameters: IRBuilder.parameters(of: model),
                  hash: ModelHash.of(text: model.file.source.bytes, inputShape: model.inputShape.description))
        macs = model.totalMACs
    }
}
