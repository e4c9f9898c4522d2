import ConvnetSema
import ConvnetSyntax

extension ModelDescription {
    /// What the runtime needs of a checked model: its weights (`IRBuilder.parameters(of:)`),
    /// shapes, train block and hash, as plain values.
    public init(_ model: CheckedModel) {
        let train = model.train
        let shape = InputShape(height: model.inputShape.height, width: model.inputShape.width,
                               channels: model.inputShape.channels)
        self.init(path: model.file.source.path, inputShape: shape, classCount: model.classCount,
                  train: TrainDefaults(dataPath: train.dataPath, validationDataPath: train.validationDataPath, validation: train.validation, batch: train.batch,
                                       epochs: train.epochs, optimizer: OptimizerSetting(train.optimizer),
                                       schedule: ScheduleSetting(train.schedule), seed: train.seed,
                                       augment: train.augment.map(AugmentationSetting.init)),
                  parameters: IRBuilder.parameters(of: model),
                  hash: ModelHash.of(text: model.file.source.bytes, inputShape: model.inputShape.description))
        macs = model.totalMACs
    }
}

extension OptimizerSetting {
    public init(_ decl: OptimizerDecl) {
        switch decl {
        case .adam(let lr): self = .adam(learningRate: lr)
        case .adamw(let lr, let decay): self = .adamw(learningRate: lr, weightDecay: decay)
        case .sgd(let lr, let momentum, let nesterov): self = .sgd(learningRate: lr, momentum: momentum, nesterov: nesterov)
        }
    }
}

extension OptimizerDecl {
    public init(_ setting: OptimizerSetting) {
        switch setting {
        case .adam(let lr): self = .adam(learningRate: lr)
        case .adamw(let lr, let decay): self = .adamw(learningRate: lr, weightDecay: decay)
        case .sgd(let lr, let momentum, let nesterov): self = .sgd(learningRate: lr, momentum: momentum, nesterov: nesterov)
        }
    }
}

extension ScheduleSetting {
    public init(_ decl: ScheduleDecl) {
        switch decl {
        case .constant: self = .constant
        case .cosine: self = .cosine
        case .exponential(let decay): self = .exponential(decay: decay)
        case .ramp(let r):
            self = .ramp(RampSchedule(start: r.start, max: r.max, min: r.min, rampup: r.rampup, sustain: r.sustain,
                                      decay: r.decay))
        }
    }
}

extension AugmentationSetting {
    public init(_ decl: Augmentation) {
        switch decl {
        case .flip: self = .flip
        case .crop: self = .crop
        case .cropWindow(let fraction): self = .cropWindow(fraction: fraction)
        case .zoom(let factor): self = .zoom(factor)
        case .brightness(let delta): self = .brightness(delta: delta)
        case .contrast(let lower, let upper): self = .contrast(lower: lower, upper: upper)
        case .saturation(let lower, let upper): self = .saturation(lower: lower, upper: upper)
        }
    }
}
