import ConvnetSupport
import ConvnetSyntax

/// The TPU performance guide's padding rules: a matmul on a 128x128 weight-stationary array maps
/// K (the reduction) to rows and N (outputs) to columns, padding both up to whole tiles; a layer
/// that fills little of its tiles wastes the MXU. Also the guide's batch rule for the board's
/// cores. The array and the core count are the context's `LintDevice`.
public struct MXUPaddingRule: LintRule {
    public static let id = "mxu-padding"
    public static let defaultSeverity = Severity.note
    public static let summary = "a matmul uses less than half of the MXU tiles it occupies; a depthwise convolution runs on the vector unit; a batch that shards badly over the TPU's cores"

    public init() {}

    /// The fraction of its padded tiles a K x N weight matrix fills.
    public static func tileUse(k: Int, n: Int, rows: Int, cols: Int) -> (use: Double, tilesK: Int, tilesN: Int) {
        let tk = (k + rows - 1) / rows, tn = (n + cols - 1) / cols
        return (Double(k * n) / Double(tk * rows * tn * cols), tk, tn)
    }

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let batch = model.train.batch
        for layer in model.layers {
            if case .depthwiseConv(let d) = layer.kind {
                out.append(finding(
                    "\(layer.name) is a depthwise convolution: each channel has its own \(d.kernelHeight)x\(d.kernelWidth) filter, so it runs on the vector unit, not the MXU (\(NumberFormat.grouped(layer.macs)) MACs per image at vector speed)",
                    at: layer.decl.keywordRange,
                    help: "keep depthwise layers cheap; the 1x1 convolution after them is what fills the MXU (sepconv does both)"))
                continue
            }
            guard let matmul = LayerRules.matmul(of: layer, batch: batch) else { continue }
            let (m, k, n, kMeaning, what) = (matmul.m, matmul.k, matmul.n, matmul.kMeaning, matmul.what)
            let (use, tk, tn) = Self.tileUse(k: k, n: n, rows: context.device.mxuRows, cols: context.device.mxuCols)
            guard use < t.minTileUse else { continue }
            let goodK = tk * context.device.mxuRows, goodN = tn * context.device.mxuCols
            out.append(finding(
                "\(layer.name) \(what) with M=\(NumberFormat.grouped(m)), K=\(k), N=\(n) that occupies \(tk)x\(tn) tiles of \(context.device.mxuRows)x\(context.device.mxuCols) and fills \(NumberFormat.percent(use)) of them",
                at: layer.decl.keywordRange,
                help: "\(kMeaning) = \(k) pads to \(goodK) and N = \(n) pads to \(goodN); sizes that are multiples of \(context.device.mxuCols) fill the array"))
        }

        let cores = context.device.cores
        let perCore = batch / max(cores, 1)
        let goodBatch = batch % (8 * cores) == 0
        if !goodBatch {
            let at = model.file.train?.batch?.range ?? model.layers[0].decl.keywordRange
            out.append(finding(
                "batch \(batch) on \(cores) cores gives \(batch % cores == 0 ? "\(perCore)" : "an uneven \(Double(batch) / Double(cores))") per core; the TPU performance guide wants a multiple of \(8 * cores) (8 per core, ideally 128 per core)",
                at: at,
                help: "use `batch \(max(8 * cores, batch > Int.max - 8 * cores ? batch : (batch + 8 * cores - 1) / (8 * cores) * 8 * cores))` or `batch \(128 * cores)` when training on \(cores) TPU cores"))
        }
        return out
    }
}
