import ConvnetInterface
import Foundation

/// A model's weights read from any file `--weights` and `--init-from` accept, checked against the
/// model (`WeightsFit`): a convnetc checkpoint, Keras-named safetensors, or a Keras 3
/// `.weights.h5`. Only weights are taken; a checkpoint's optimizer slots and bookkeeping stay in
/// `checkpoint` for whoever wants them.
public struct ImportedWeights: Sendable {
    public let url: URL
    public let format: WeightsFormat
    /// Every weight of the model by Keras name (`conv2d/kernel`), Keras layout, finite.
    public let parameters: [String: CheckpointTensor]
    /// The whole checkpoint, when the file is one.
    public let checkpoint: Checkpoint?

    /// The class names the file carries: a checkpoint's, or a Keras-named safetensors file's
    /// `class_names` metadata (a JSON list, as `convnetc export keras`'s `train` writes it);
    /// empty otherwise.
    public let classNames: [String]

    /// Reads `url` and checks it against `model`'s weights. Throws `WeightsImportError` (a file
    /// that does not fit, an unreadable HDF5 file), `SafetensorsError` (a damaged safetensors
    /// file) or `CheckpointError` (a checkpoint with bad metadata).
    public init(url: URL, model: ModelDescription) throws {
        let expected = model.parameters
        self.url = url
        if try WeightsFormat.isHDF5(url) {
            format = .kerasH5
            checkpoint = nil
            classNames = []
            parameters = try KerasWeightsH5.read(url.path, expected: expected)
        } else {
            let file = try Safetensors.read(from: url)
            if file.metadata["format"] != nil {
                let saved = try Checkpoint(file: file, path: url.path)
                format = .checkpoint
                checkpoint = saved
                classNames = saved.classNames
                try WeightsFit.check(expected: expected, found: saved.parameters.keys.sorted().map {
                    WeightsFit.Found(name: $0, shape: saved.parameters[$0]!.shape)
                }, file: url.path)
                parameters = saved.parameters
            } else {
                format = .kerasSafetensors
                checkpoint = nil
                classNames = KerasSafetensorsNames.classNames(in: file.metadata)
                parameters = try KerasSafetensorsNames.parameters(of: file, path: url.path, expected: expected)
            }
        }
        if let problem = WeightsFit.nonFinite(expected.map(\.name), values: { parameters[$0]!.values }) {
            throw WeightsImportError(file: url.path, message: problem)
        }
    }

    /// The weights as a training state (no optimizer slots: an inference program takes none).
    public var state: TrainingState {
        TrainingState(tensors: parameters.mapValues(\.values), step: 0, epoch: 0)
    }
}
