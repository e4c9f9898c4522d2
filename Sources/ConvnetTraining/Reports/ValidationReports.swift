import Foundation

/// The files a validation pass leaves for a learner, in a run folder at the end of training (or
/// when it stops with validation results) and in `evaluate --out DIR`: the confusion matrix as
/// text, JSON and a picture, the grid of photos with their predictions, and the list of every
/// misclassified image.
public enum ValidationReports {
    public static let confusionText = "confusion.txt"
    public static let confusionJSON = "confusion.json"
    public static let confusionPicture = "confusion.svg"
    public static let predictionsPicture = "predictions.svg"
    public static let misclassifiedList = "misclassified.txt"

    /// Writes the five files into `folder` (created if needed), each atomically; returns their URLs.
    @discardableResult
    public static func write(_ result: ValidationResult, to folder: URL, title: String) throws -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw AtomicFile.WriteError(path: folder.path, detail: "cannot create the folder (\(error.localizedDescription))")
        }
        let names = result.confusion.classNames
        func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
        try AtomicFile.write(result.confusion.render(), to: url(confusionText))
        try AtomicFile.write(result.confusion.json.compactText + "\n", to: url(confusionJSON))
        try ConfusionMatrixPlot(title: "Confusion matrix: \(title)").write(result.confusion, to: url(confusionPicture))
        try PredictionGridPlot(title: "Validation predictions: \(title)")
            .write(result.predictions, classNames: names, to: url(predictionsPicture))
        try AtomicFile.write(MisclassifiedList.render(result.predictions, classNames: names), to: url(misclassifiedList))
        return [confusionText, confusionJSON, confusionPicture, predictionsPicture, misclassifiedList].map(url)
    }
}
