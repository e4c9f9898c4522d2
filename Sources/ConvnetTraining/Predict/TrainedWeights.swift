import ConvnetData
import ConvnetInterface
import Foundation

/// A checkpoint opened for inference: its weights checked against the model, and the class names
/// to report (the checkpoint's, else the data folder's, else `class0`, `class1`...).
public struct TrainedWeights: Sendable {
    public let checkpoint: Checkpoint
    public let url: URL
    public let classNames: [String]

    /// Loads `url` and checks it holds every weight of `model` with the right shape.
    /// - Parameter dataFolder: where to read class names when the checkpoint has none
    ///   (a folder, or a `synthetic:` spec); nil uses the model's train block.
    public init(url: URL, model: ModelDescription, dataFolder: String? = nil) throws {
        self.url = url
        checkpoint = try Checkpoint.load(from: url)
        _ = try TrainingState(checkpoint: checkpoint, parameters: model.parameters, optimizerSlots: [], path: url.path)
        classNames = TrainedWeights.classNames(saved: checkpoint.classNames, count: model.classCount,
                                               dataFolder: dataFolder ?? model.train.dataPath)
    }

    /// The class names in label order, from the first source that has exactly `count`.
    public static func classNames(saved: [String], count: Int, dataFolder: String?) -> [String] {
        if saved.count == count { return saved }
        if let spec = dataFolder {
            switch try? DatasetSpec.parse(spec) {
            case .synthetic(let shapes)? where shapes.classNames.count == count:
                return shapes.classNames
            case .folder(let path)?:
                if let listing = try? ImageFolderListing(root: path), listing.classNames.count == count {
                    return listing.classNames
                }
            default:
                break
            }
        }
        return (0..<count).map { "class\($0)" }
    }

    /// Writes the weights into a compiled inference program.
    public func load(into executable: any CompiledProgram) throws {
        try TrainingState(checkpoint: checkpoint, program: executable.interface, path: url.path).load(into: executable)
    }
}
