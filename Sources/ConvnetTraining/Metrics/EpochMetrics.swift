import ConvnetSupport

/// What one epoch of training measured; one line of `metrics.jsonl`.
public struct EpochMetrics: Equatable, Sendable {
    /// 1-based epoch number, as Keras prints it.
    public var epoch: Int
    /// Mean training loss over the epoch.
    public var loss: Double
    /// Training accuracy over the epoch, in [0, 1].
    public var accuracy: Double
    /// Validation loss, nil when there is no validation set.
    public var valLoss: Double?
    /// Validation accuracy, nil when there is no validation set.
    public var valAccuracy: Double?
    /// Training throughput.
    public var imagesPerSecond: Double
    /// Wall time of the epoch, validation included.
    public var seconds: Double
    /// Learning rate used during the epoch.
    public var learningRate: Double

    public init(epoch: Int, loss: Double, accuracy: Double, valLoss: Double? = nil, valAccuracy: Double? = nil,
                imagesPerSecond: Double, seconds: Double, learningRate: Double) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
        self.learningRate = learningRate
    }

    /// The JSON object, keys in a fixed order; missing or non-finite values are `null`.
    public var json: JSON {
        func num(_ v: Double?) -> JSON { v.map { $0.isFinite ? .double($0) : .null } ?? .null }
        return .object([
            ("epoch", .int(epoch)),
            ("loss", num(loss)),
            ("accuracy", num(accuracy)),
            ("val_loss", num(valLoss)),
            ("val_accuracy", num(valAccuracy)),
            ("images_per_sec", num(imagesPerSecond)),
            ("seconds", num(seconds)),
            ("lr", num(learningRate)),
        ])
    }

    /// Reads a record back; `null` loss/accuracy (a NaN epoch) reads as NaN.
    public init?(json: JSON) {
        guard case let .int(epoch)? = json["epoch"] else { return nil }
        func num(_ key: String) -> Double? { json[key]?.doubleValue }
        self.init(epoch: epoch, loss: num("loss") ?? .nan, accuracy: num("accuracy") ?? .nan,
                  valLoss: num("val_loss"), valAccuracy: num("val_accuracy"),
                  imagesPerSecond: num("images_per_sec") ?? .nan, seconds: num("seconds") ?? .nan,
                  learningRate: num("lr") ?? .nan)
    }
}
