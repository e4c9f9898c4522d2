#!/usr/bin/env python3
"""Makes the Keras fixture for branching models (run offline, never in CI):

    /tmp/tfvenv/bin/python scripts/keras_graph_fixtures.py

Writes Tests/ConvnetDriverTests/Fixtures/keras_graph_summaries.json: for a few random branching
models (and the three graph samples), the .convnet text and every layer as the Keras functional
API builds it: name, class, the names of its inputs ("input" for the model input), output shape,
parameter count and trainable count. Each random model is generated as a small program that is
written out twice, once as .convnet text and once as Keras calls, so nothing here reads
convnetc's syntax.
"""
import json
import os
import random

import keras
from keras import layers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ConvnetDriverTests", "Fixtures", "keras_graph_summaries.json")


class Emitter:
    """Builds Keras layers and the matching .convnet lines side by side."""

    def __init__(self):
        self.lines = []
        self.indent = 0

    def line(self, text):
        self.lines.append("  " * self.indent + text)

    def conv(self, x, k, f, stride=1, padding="same", act="linear", bias=True):
        text = f"conv {k}x{k}x{f}" + (f" stride {stride}" if stride != 1 else "") \
            + (f" padding {padding}" if padding != "same" else "") + ("" if bias else " bias off") \
            + (f" {act}" if act != "linear" else "")
        self.line(text)
        return layers.Conv2D(f, k, strides=stride, padding=padding, activation=act, use_bias=bias)(x)

    def dwconv(self, x, k, stride=1, mult=1, act="linear"):
        self.line(f"dwconv {k}x{k}" + (f" stride {stride}" if stride != 1 else "")
                  + (f" multiplier {mult}" if mult != 1 else "") + (f" {act}" if act != "linear" else ""))
        return layers.DepthwiseConv2D(k, strides=stride, depth_multiplier=mult, padding="same", activation=act)(x)

    def sepconv(self, x, k, f, stride=1, mult=1, act="linear"):
        self.line(f"sepconv {k}x{k}x{f}" + (f" stride {stride}" if stride != 1 else "")
                  + (f" multiplier {mult}" if mult != 1 else "") + (f" {act}" if act != "linear" else ""))
        return layers.SeparableConv2D(f, k, strides=stride, depth_multiplier=mult, padding="same", activation=act)(x)

    def batchnorm(self, x, momentum=0.99):
        self.line("batchnorm" + (f" momentum {momentum}" if momentum != 0.99 else ""))
        return layers.BatchNormalization(momentum=momentum)(x)

    def activation(self, x, act):
        self.line(f"activation {act}")
        return layers.Activation(act)(x)

    def pool(self, x, kind, size, stride=None, padding="valid"):
        self.line(f"{kind} {size}" + (f" stride {stride}" if stride and stride != size else "")
                  + (f" padding {padding}" if padding != "valid" else ""))
        cls = layers.MaxPooling2D if kind == "maxpool" else layers.AveragePooling2D
        return cls(size, strides=stride or size, padding=padding)(x)


def random_model(seed):
    """A random branching model: a stem, then merges, residuals and a block called twice."""
    rng = random.Random(seed)
    keras.backend.clear_session()
    e = Emitter()
    side = rng.choice([16, 20, 24])
    channels = rng.choice([3, 4])
    e.line(f"input {side}x{side}x{channels}")
    inp = keras.Input((side, side, channels))
    x = e.conv(inp, 3, rng.choice([8, 12]), act="relu")
    c = x.shape[-1]

    def keep_shape_layer(x, c):
        """A layer that keeps height, width and channels."""
        choice = rng.choice(["bn", "act", "dw", "sep", "conv"])
        if choice == "bn":
            return e.batchnorm(x, rng.choice([0.9, 0.99]))
        if choice == "act":
            return e.activation(x, rng.choice(["relu", "tanh", "sigmoid"]))
        if choice == "dw":
            return e.dwconv(x, 3, act=rng.choice(["relu", "linear"]))
        if choice == "sep":
            return e.sepconv(x, 3, c, act="relu")
        return e.conv(x, rng.choice([1, 3]), c, act="relu", bias=rng.random() < 0.5)

    for _ in range(rng.randint(2, 3)):
        kind = rng.choice(["concat", "add", "residual", "pool", "dw"])
        if kind in ("pool", "dw") and x.shape[1] < 6:
            kind = "residual"
        if kind == "concat":
            e.line("concat {")
            e.indent += 1
            outs = []
            for b in range(rng.randint(2, 3)):
                if b == 1 and rng.random() < 0.4:
                    e.line("branch { }")
                    outs.append(x)
                    continue
                e.line("branch {")
                e.indent += 1
                y = e.conv(x, rng.choice([1, 3]), rng.choice([4, 6, 8]), act="relu")
                if rng.random() < 0.5:
                    y = keep_shape_layer(y, y.shape[-1])
                e.indent -= 1
                e.line("}")
                outs.append(y)
            e.indent -= 1
            e.line("}")
            x = layers.Concatenate()(outs)
        elif kind == "add":
            e.line("add {")
            e.indent += 1
            outs = []
            for b in range(rng.randint(2, 3)):
                if b == 0 and rng.random() < 0.5:
                    e.line("branch { }")
                    outs.append(x)
                    continue
                e.line("branch {")
                e.indent += 1
                y = keep_shape_layer(x, c) if rng.random() < 0.5 else x
                y = e.conv(y, rng.choice([1, 3]), c, act=rng.choice(["relu", "linear"]))
                e.indent -= 1
                e.line("}")
                outs.append(y)
            e.indent -= 1
            e.line("}")
            x = layers.Add()(outs)
        elif kind == "residual":
            e.line("residual {")
            e.indent += 1
            y = x
            for _ in range(rng.randint(1, 2)):
                y = keep_shape_layer(y, c)
            e.indent -= 1
            e.line("}")
            x = layers.Add()([y, x])
        elif kind == "pool":
            padding = rng.choice(["same", "valid"])
            x = e.pool(x, rng.choice(["maxpool", "avgpool"]), rng.choice([2, 3]), stride=2, padding=padding)
        else:
            x = e.dwconv(x, 3, stride=rng.choice([1, 2]), mult=rng.choice([1, 2]), act="relu")
        c = x.shape[-1]

    # A block, defined at the top and called twice with different arguments.
    s1, s2 = rng.choice([4, 6]), rng.choice([8, 10])
    body = []

    def call(x, squeeze, expand):
        e.line(f"mix({squeeze}, {expand})")
        y = layers.Conv2D(squeeze, 1, padding="same", activation="relu")(x)
        a = layers.Conv2D(expand, 1, padding="same", activation="relu")(y)
        b = layers.SeparableConv2D(expand, 3, padding="same", activation="relu")(y)
        return layers.Concatenate()([a, b])

    body = ["block mix(squeeze, expand) {", "  conv 1x1x{squeeze} relu",
            "  concat { branch { conv 1x1x{expand} relu }; branch { sepconv 3x3x{expand} relu } }", "}"]
    x = call(x, s1, s2)
    x = call(x, s2, s1)
    if rng.random() < 0.5:
        x = e.batchnorm(x, 0.9)
    e.line("gap")
    x = layers.GlobalAveragePooling2D()(x)
    e.line("dense 3 softmax")
    x = layers.Dense(3, activation="softmax")(x)
    text = "\n".join(body + e.lines) + "\n"
    return text, keras.Model(inp, x)


def squeezenet():
    keras.backend.clear_session()
    inp = keras.Input((192, 192, 3))
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(inp)
    x = layers.BatchNormalization(momentum=0.9)(x)

    def fire(x, squeeze, expand):
        y = layers.Conv2D(squeeze, 1, padding="same", activation="relu")(x)
        y = layers.BatchNormalization(momentum=0.9)(y)
        a = layers.Conv2D(expand, 1, padding="same", activation="relu")(y)
        a = layers.BatchNormalization(momentum=0.9)(a)
        b = layers.Conv2D(expand, 3, padding="same", activation="relu")(y)
        b = layers.BatchNormalization(momentum=0.9)(b)
        return layers.Concatenate()([a, b])

    for i, (s, e) in enumerate([(24, 24), (48, 48), (64, 64), (48, 48), (24, 24)]):
        x = fire(x, s, e)
        if i < 4:
            x = layers.MaxPooling2D(2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(5, activation="softmax")(x)
    return keras.Model(inp, x)


def resnet_small():
    keras.backend.clear_session()
    inp = keras.Input((192, 192, 3))
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inp)
    x = layers.BatchNormalization()(x)

    def resblock(x, f):
        y = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
        y = layers.BatchNormalization()(y)
        y = layers.Conv2D(f, 3, padding="same")(y)
        y = layers.BatchNormalization()(y)
        return layers.Activation("relu")(layers.Add()([y, x]))

    x = layers.MaxPooling2D(2)(resblock(x, 32))
    x = layers.Conv2D(64, 1, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(resblock(x, 64))
    x = layers.Conv2D(96, 1, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(resblock(x, 96))
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(5, activation="softmax")(x)
    return keras.Model(inp, x)


def xception_small():
    keras.backend.clear_session()
    inp = keras.Input((192, 192, 3))
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False)(inp)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    x = layers.Conv2D(64, 3, padding="same", use_bias=False)(x)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))

    def entry(x, f):
        a = layers.SeparableConv2D(f, 3, padding="same")(x)
        a = layers.Activation("relu")(layers.BatchNormalization()(a))
        a = layers.BatchNormalization()(layers.SeparableConv2D(f, 3, padding="same")(a))
        a = layers.MaxPooling2D(3, strides=2, padding="same")(a)
        b = layers.BatchNormalization()(layers.Conv2D(f, 1, strides=2, padding="same", use_bias=False)(x))
        return layers.Add()([a, b])

    def middle(x, f):
        y = layers.Activation("relu")(x)
        y = layers.BatchNormalization()(layers.SeparableConv2D(f, 3, padding="same")(y))
        y = layers.Activation("relu")(y)
        y = layers.BatchNormalization()(layers.SeparableConv2D(f, 3, padding="same")(y))
        return layers.Add()([y, x])

    x = entry(entry(x, 64), 128)
    x = middle(middle(x, 128), 128)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(256, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(5, activation="softmax")(x)
    return keras.Model(inp, x)


def describe(model):
    out = []
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        node = layer._inbound_nodes[0]
        inputs = []
        for t in node.input_tensors:
            op = t._keras_history.operation
            inputs.append("input" if isinstance(op, layers.InputLayer) else op.name)
        out.append({
            "name": layer.name,
            "type": type(layer).__name__,
            "inputs": inputs,
            "output_shape": list(layer.output.shape[1:]),
            "params": int(layer.count_params()),
            "trainable_params": int(sum(int(w.numpy().size) for w in layer.trainable_weights)),
        })
    return {
        "layers": out,
        "total_params": int(model.count_params()),
        "trainable_params": int(sum(int(w.numpy().size) for w in model.trainable_weights)),
    }


def main():
    fixture = {"models": [], "samples": {}}
    for seed in range(6):
        text, model = random_model(seed)
        fixture["models"].append({"seed": seed, "model": text, **describe(model)})
    for name, build in [("squeezenet.convnet", squeezenet), ("resnet-small.convnet", resnet_small),
                        ("xception-small.convnet", xception_small)]:
        fixture["samples"][name] = describe(build())
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
