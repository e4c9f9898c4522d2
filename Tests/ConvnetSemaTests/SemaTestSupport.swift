import ConvnetSyntax
@testable import ConvnetSema

/// Builds a model file from layer kinds without the parser, each layer on its own fake range,
/// so the semantic pass can be tested on its own.
func modelFile(input: (Int, Int, Int)? = (192, 192, 3), _ kinds: [LayerKind]) -> ModelFile {
    let source = SourceFile(path: "test.convnet", text: String(repeating: "layer\n", count: kinds.count + 1))
    var file = ModelFile(source: source)
    if let (h, w, c) = input {
        file.input = InputDecl(height: h, width: w, channels: c, range: SourceRange(0, 5))
    }
    file.layers = kinds.enumerated().map { i, kind in
        let start = (i + 1) * 6
        return LayerDecl(kind: kind, range: SourceRange(start, start + 5),
                         keywordRange: SourceRange(start, start + 5))
    }
    return file
}

func conv(_ k: Int, _ f: Int, stride: Int = 1, padding: Padding = .same,
          _ act: Activation = .relu) -> LayerKind {
    .conv(ConvDecl(kernelHeight: k, kernelWidth: k, filters: f, stride: stride, padding: padding,
                   activation: act))
}

func maxpool(_ p: Int, stride: Int? = nil) -> LayerKind { .maxPool(PoolDecl(size: p, stride: stride)) }
func dense(_ n: Int, _ act: Activation = .relu) -> LayerKind { .dense(DenseDecl(units: n, activation: act)) }

/// The codelab's solution notebook (references.md §1).
let solutionNotebook: [LayerKind] = [
    conv(3, 16), conv(3, 30), maxpool(2), conv(3, 60), maxpool(2), conv(3, 90), maxpool(2),
    conv(3, 110), maxpool(2), conv(3, 130), conv(1, 40), .globalAveragePool, dense(5, .softmax),
]

/// The TPU v2-8 the lint tests advise for (the emulator's `TPUDevice.tpuV2`, which this test
/// target cannot import).
let tpuV2 = LintDevice(cores: 8, mxuRows: 128, mxuCols: 128)
