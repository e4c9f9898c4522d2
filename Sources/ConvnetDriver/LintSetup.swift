import ConvnetSema
import Foundation
import TPUEmulator

/// Gathers what the lint rules need to know beyond the model: the data's size and classes, and
/// the machine's memory.
public enum LintSetup {
    /// The flowers set's training split at 0.19 validation (references.md §3): the figure the
    /// parameter budget assumes when neither a data folder nor `--images` says otherwise, just as
    /// the input shape defaults to the flowers' 192x192x3.
    public static let defaultTrainingImages = 2951

    /// The context for `model` on `device` (the emulated TPU's description: cores, MXU).
    public static func context(for model: CheckedModel, images: Int?, classes: Int?, device: TPUDevice) -> LintContext {
        var context = LintContext(machineMemoryBytes: physicalMemory(), device: device.lintDevice)
        if let images {
            context.trainingImages = images
            context.imagesSource = "--images"
        } else if let path = model.train.dataPath, let scan = DataFolderScan.scan(path, validation: model.train.validation) {
            context.trainingImages = scan.trainingImages
            context.imagesSource = "in \(path)"
            context.classCount = scan.classCount
        } else {
            context.trainingImages = defaultTrainingImages
            context.imagesSource = "assumed: the flowers set's training split; set --images N"
        }
        if let classes { context.classCount = classes }
        return context
    }

    static func physicalMemory() -> Int {
        Int(ProcessInfo.processInfo.physicalMemory)
    }
}
