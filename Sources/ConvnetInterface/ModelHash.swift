/// The identity of a model for checkpoints: FNV-1a 64 of the model file's text followed by its
/// input shape (the shape can come from `--input`, so the text alone does not fix the weights'
/// shapes). A resumed run refuses a checkpoint whose hash differs, because continuing another
/// model's optimizer state would silently train something else. The compiler computes it once
/// (`ModelDescription.hash`); a native binary carries it as a constant.
public enum ModelHash {
    /// 16 lowercase hex digits for raw model text and an `HxWxC` shape.
    public static func of(text: [UInt8], inputShape: String) -> String {
        // FNV-1a 64 (the function of ConvnetData's split rule, written out so this module needs nothing).
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text + Array("\ninput-shape ".utf8) + Array(inputShape.utf8) {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
