import ConvnetDriver
import ConvnetSupport
import ConvnetSyntax
import Foundation

/// Issue 2's figures: checking flowers.convnet, and a generated 10,000-layer file.
enum FrontendBench {
    static func run(repo: String) throws -> [BenchRow] {
        let path = repo + "/samples/flowers.convnet"
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let source = SourceFile(path: path, bytes: bytes)
        let check = Stopwatch.median(runs: 200) {
            let r = Frontend.check(source: source)
            precondition(r.model?.totalParams == 293_233)
        }

        // 10,000 statements: convolutions that keep the shape, then a head.
        var text = "input 32x32x3\n"
        for i in 0..<9_998 { text += i % 2 == 0 ? "conv 3x3x8 relu\n" : "batchnorm\n" }
        text += "gap\ndense 5 softmax\n"
        let big = SourceFile(path: "generated.convnet", text: text)
        var layers = 0
        let bigCheck = Stopwatch.median(runs: 5) {
            let r = Frontend.check(source: big)
            precondition(!r.hasErrors, "\(r.diagnostics.prefix(3))")
            layers = r.model!.layers.count
        }
        return [
            BenchRow(name: "check flowers.convnet (parse + shapes + params)", value: check * 1e3, unit: "ms",
                     note: "goal: well under 10 ms"),
            BenchRow(name: "check a generated \(NumberFormat.grouped(layers))-layer file", value: bigCheck * 1e3, unit: "ms",
                     note: "goal: under 1 s, no stack overflow"),
        ]
    }
}
