import ConvnetData
import ConvnetInterface
import Foundation

/// A weights file opened for inference (any format `ImportedWeights` reads), checked against the
/// model, and the class names to report: `--classes` when given, else the file's, else the data
/// folder's, else `class0`, `class1`...
public struct TrainedWeights: Sendable {
    public let weights: ImportedWeights
    public var url: URL { weights.url }
    public let classNames: [String]

    /// Loads `url` and checks it holds every weight of `model` with the right shape.
    /// - Parameters:
    ///   - dataFolder: where to read class names when the file has none (a folder, or a
    ///     `synthetic:` spec); nil uses the model's train block.
    ///   - classes: `--classes a,b,...`; must name as many classes as the model's head has.
    public init(url: URL, model: ModelDescription, dataFolder: String? = nil, classes: [String]? = nil) throws {
        if let classes, classes.count != model.classCount {
            throw TrainingError.invalidOption("--classes names \(classes.count) class\(classes.count == 1 ? "" : "es") "
                + "but the model's head has \(model.classCount)")
        }
        weights = try ImportedWeights(url: url, model: model)
        classNames = classes ?? TrainedWeights.classNames(saved: weights.classNames, count: model.classCount,
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

    /// Writes the weights into a compiled inference program (checked against the same model
    /// when they were read, so every weight it takes is there).
    public func load(into executable: any CompiledProgram) throws {
        weights.state.load(into: executable)
    }
}
