import ConvnetInterface
import ConvnetSema
import ConvnetSyntax

/// `convnetc export keras FILE`: the model as one Python program that needs only TensorFlow and
/// numpy. The functional model keeps convnetc's layer names, so its weights have the names
/// convnetc's checkpoints use and the two load each other's files; each layer is written under
/// the `.convnet` statement it comes from. The model-specific part (constants, `build_model`) is
/// written here, one function per layer kind; the rest is `KerasProgramRuntime`.
public enum KerasExporter {
    /// The whole program for `model`; `name` is the model's display name (the file name).
    public static func program(_ model: CheckedModel, name: String) -> String {
        header(model, name: name) + buildModel(model) + "\n\n" + KerasProgramRuntime.text
    }

    static func header(_ model: CheckedModel, name: String) -> String {
        let s = model.inputShape
        let t = model.train
        let (optimizer, rate, momentum, nesterov, weightDecay): (String, Double, Double, Bool, Double) = switch t.optimizer {
        case .adam(let lr): ("adam", lr, 0, false, 0)
        case .adamw(let lr, let wd): ("adamw", lr, 0, false, wd)
        case .sgd(let lr, let m, let n): ("sgd", lr, m, n, 0)
        }
        let (schedule, decay): (String, String) = switch t.schedule {
        case .constant: ("constant", "None")
        case .cosine: ("cosine", "None")
        case .exponential(let d): ("exponential", "\(d)")
        case .ramp: ("ramp", "None")
        }
        let ramp = if case .ramp(let r) = t.schedule {
            "{\"start\": \(r.start), \"max\": \(r.max), \"min\": \(r.min), \"rampup\": \(r.rampup), \"sustain\": \(r.sustain), \"decay\": \(r.decay)}"
        } else { "None" }
        let augment = t.augment.map(augmentation).joined(separator: ", ")
        return """
        #!/usr/bin/env python3
        \"\"\"\(name): a Keras program exported by convnetc \(CompilerVersion.string) from \(model.file.source.path).

        Needs only tensorflow and numpy:
          python \(name).py summary
          python \(name).py evaluate --weights W --data DIR [--validation F]
          python \(name).py train --data DIR|GLOB --epochs N [--batch B] [--validation F] [--weights W] --out DIR

        `evaluate` measures convnetc's validation split (FNV-1a of each file's relative path) with
        images decoded as convnetc decodes them, so its accuracy is `convnetc evaluate`'s. `train`
        runs on a TPU when one is found (TPUStrategy), on several machines when TF_CONFIG is set
        (MultiWorkerMirroredStrategy), else on this machine (MirroredStrategy), and writes
        DIR/model.safetensors under Keras names, which `convnetc predict --weights` reads.
        \"\"\"
        import argparse
        import json
        import math
        import os
        import struct
        import sys

        import numpy as np
        import tensorflow as tf
        import keras

        MODEL_NAME = \(python(name))
        INPUT_SHAPE = (\(s.height), \(s.width), \(s.channels))
        CLASSES = \(model.classCount)
        # The train block, with convnetc's defaults filled in (flags override some).
        TRAIN = {
            "data": \(t.dataPath.map(python) ?? "None"),
            "validation_data": \(t.validationDataPath.map(python) ?? "None"),
            "validation": \(t.validation),
            "batch": \(t.batch),
            "epochs": \(t.epochs),
            "optimizer": \(python(optimizer)),
            "learning_rate": \(rate),
            "momentum": \(momentum),
            "nesterov": \(nesterov ? "True" : "False"),
            "weight_decay": \(weightDecay),
            "schedule": \(python(schedule)),
            "decay": \(decay),
            "ramp": \(ramp),
            "seed": \(t.seed),
            "augment": {\(augment)},
            "label_smoothing": \(t.labelSmoothing),
        }



        """
    }

    /// One entry of `TRAIN["augment"]`: the augmentation's name and its arguments (None: none).
    static func augmentation(_ a: AugmentationSetting) -> String {
        let arguments = switch a {
        case .flip, .crop: "None"
        case .brightness(let delta), .cropWindow(let delta), .zoom(let delta): "\(delta)"
        case .contrast(let lower, let upper), .saturation(let lower, let upper): "(\(lower), \(upper))"
        }
        return python(a.name) + ": " + arguments
    }

    static func buildModel(_ model: CheckedModel) -> String {
        var lines = [
            "def build_model():",
            "    \"\"\"The model, layer for layer as the .convnet file has it, with convnetc's layer names.\"\"\"",
            "    layers = keras.layers",
            "    input_layer = keras.Input(shape=INPUT_SHAPE, name=\"input_layer\")",
        ]
        for layer in model.layers {
            let statement = model.file.source.text(layer.decl.range)
            let location = model.file.source.location(of: layer.decl.range.start)
            lines.append("    # line \(location.line): \(statement.split(separator: "\n").first.map(String.init) ?? statement)")
            let inputs = layer.inputs.map { input in
                switch input {
                case .modelInput: "input_layer"
                case .layer(let i): model.layers[i].name
                }
            }
            // A merge takes the list of its branches; every other layer its one input.
            let argument = inputs.count == 1 ? inputs[0] : "[" + inputs.joined(separator: ", ") + "]"
            lines.append("    \(layer.name) = layers.\(kerasLayer(layer))(\(argument))")
        }
        lines.append("    return keras.Model(input_layer, \(model.layers.last?.name ?? "input_layer"), name=MODEL_NAME)")
        return lines.joined(separator: "\n")
    }

    /// The Keras constructor call of one layer: one function per kind.
    static func kerasLayer(_ layer: CheckedLayer) -> String {
        let name = "name=" + python(layer.name)
        switch layer.kind {
        case .conv(let c): return conv(c, name)
        case .depthwiseConv(let d): return depthwiseConv(d, name)
        case .separableConv(let c): return separableConv(c, name)
        case .maxPool(let p), .avgPool(let p): return pool(layer.kind.info.kerasClass, p, name)
        case .globalAveragePool, .flatten, .add: return "\(layer.kind.info.kerasClass)(\(name))"
        case .dense(let d): return dense(d, name)
        case .dropout(let rate): return "Dropout(\(rate), \(name))"
        case .batchNorm(let b): return batchNorm(b, name)
        case .activation(let a): return "Activation(\(python(a.rawValue)), \(name))"
        case .concat: return "Concatenate(axis=-1, \(name))"
        }
    }

    static func conv(_ c: ConvDecl, _ name: String) -> String {
        "Conv2D(\(c.filters), (\(c.kernelHeight), \(c.kernelWidth)), strides=\(c.stride), "
            + "padding=\(python(c.padding.rawValue)), activation=\(python(c.activation.rawValue)), "
            + (c.useBias ? "" : "use_bias=False, ") + "\(name))"
    }

    static func depthwiseConv(_ d: DepthwiseConvDecl, _ name: String) -> String {
        "DepthwiseConv2D((\(d.kernelHeight), \(d.kernelWidth)), strides=\(d.stride), depth_multiplier=\(d.multiplier), "
            + "padding=\(python(d.padding.rawValue)), activation=\(python(d.activation.rawValue)), \(name))"
    }

    static func separableConv(_ c: SeparableConvDecl, _ name: String) -> String {
        "SeparableConv2D(\(c.filters), (\(c.kernelHeight), \(c.kernelWidth)), strides=\(c.stride), "
            + "depth_multiplier=\(c.multiplier), padding=\(python(c.padding.rawValue)), "
            + "activation=\(python(c.activation.rawValue)), \(name))"
    }

    static func pool(_ type: String, _ p: PoolDecl, _ name: String) -> String {
        "\(type)(pool_size=\(p.size), strides=\(p.stride), padding=\(python(p.padding.rawValue)), \(name))"
    }

    static func dense(_ d: DenseDecl, _ name: String) -> String {
        "Dense(\(d.units), activation=\(python(d.activation.rawValue)), \(name))"
    }

    static func batchNorm(_ b: BatchNormDecl, _ name: String) -> String {
        "BatchNormalization(momentum=\(b.momentum), epsilon=\(b.epsilon), \(name))"
    }

    /// A Python string literal.
    static func python(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
