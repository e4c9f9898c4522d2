import ConvnetData
import ConvnetSema

/// The identity of a model for checkpoints: FNV-1a 64 of the model file's text followed by its
/// input shape (the shape can come from `--input`, so the text alone does not fix the weights'
/// shapes). A resumed run refuses a checkpoint whose hash differs, because continuing another
/// model's optimizer state would silently train something else.
public enum ModelHash {
    /// 16 lowercase hex digits.
    public static func of(_ model: CheckedModel) -> String {
        of(text: model.file.source.bytes, inputShape: model.inputShape.description)
    }

    /// The hash of raw model text and an `HxWxC` shape.
    public static func of(text: [UInt8], inputShape: String) -> String {
        let h = FNV1a.hash64(text + Array("\ninput-shape ".utf8) + Array(inputShape.utf8))
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
