#!/usr/bin/env python3
"""Makes the Keras reference fixtures the tests compare against (run offline, never in CI).

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu==2.21.* numpy
    /tmp/tfvenv/bin/python scripts/keras_fixtures.py

Writes, under Tests/ConvnetDriverTests/Fixtures/:
  keras_summaries.json  every sample's layers as Keras builds them (name, output shape, params),
                        translated from the .convnet text by the small reader below, which is
                        independent of convnetc's parser;
  keras_numerics.json   a small model with fixed weights and a fixed image, and the softmax
                        probabilities Keras computes for it (inference).
"""
import json
import math
import os
import re
import sys

import numpy as np
import keras
from keras import layers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ConvnetDriverTests", "Fixtures")


def statements(text):
    """The layer statements of a .convnet file, skipping comments and the train block."""
    out, in_train = [], False
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for stmt in line.split(";"):
            stmt = stmt.strip()
            if not stmt:
                continue
            if stmt.startswith("train"):
                in_train = "}" not in stmt
                continue
            if in_train:
                in_train = "}" not in stmt
                continue
            out.append(stmt.split())
    return out


def keras_model(text):
    """Builds the Keras model a .convnet file describes (the subset the samples use)."""
    shape = (192, 192, 3)
    stack = []
    for words in statements(text):
        kw = words[0]
        if kw == "input":
            shape = tuple(int(v) for v in words[1].split("x"))
            continue
        opts = dict(zip(words[2::2], words[3::2])) if len(words) > 2 else {}
        act = next((w for w in words[2:] if w in ("relu", "softmax", "sigmoid", "tanh", "linear")), None)
        if kw == "conv":
            kh, kw_, f = (int(v) for v in words[1].split("x"))
            stack.append(layers.Conv2D(f, (kh, kw_), strides=int(opts.get("stride", 1)),
                                       padding=opts.get("padding", "same"), activation=act))
        elif kw in ("maxpool", "avgpool"):
            p = int(words[1])
            cls = layers.MaxPooling2D if kw == "maxpool" else layers.AveragePooling2D
            stack.append(cls(p, strides=int(opts.get("stride", p))))
        elif kw == "gap":
            stack.append(layers.GlobalAveragePooling2D())
        elif kw == "flatten":
            stack.append(layers.Flatten())
        elif kw == "dense":
            stack.append(layers.Dense(int(words[1]), activation=act))
        elif kw == "dropout":
            stack.append(layers.Dropout(float(words[1])))
        elif kw == "batchnorm":
            stack.append(layers.BatchNormalization())
        else:
            raise ValueError(f"unknown statement {words}")
    model = keras.Sequential([keras.Input(shape)] + stack)
    return model, shape


# The samples with blocks and branches: scripts/keras_graph_fixtures.py builds those with Keras'
# functional API (this file's reader knows only sequential statements).
GRAPH_SAMPLES = {"squeezenet.convnet", "resnet-small.convnet", "xception-small.convnet"}


def summaries():
    out = {}
    samples = os.path.join(ROOT, "samples")
    for name in sorted(os.listdir(samples)):
        if not name.endswith(".convnet") or name in GRAPH_SAMPLES:
            continue
        keras.backend.clear_session()  # restart Keras' automatic layer names per model
        with open(os.path.join(samples, name)) as f:
            model, shape = keras_model(f.read())
        out[name] = {
            "input": list(shape),
            "layers": [{"name": l.name, "type": type(l).__name__,
                        "output_shape": list(l.output.shape[1:]), "params": l.count_params()}
                       for l in model.layers],
            "total_params": model.count_params(),
        }
    return out


NUMERICS_MODEL = """# A small model touching every layer kind that has weights or shape rules worth checking.
input 12x10x3
conv 3x3x4 relu
conv 3x3x5 stride 2 relu
maxpool 2 stride 1
conv 2x2x6 padding valid tanh
avgpool 2
batchnorm
conv 1x1x4 sigmoid
flatten
dense 7 relu
dropout 0.25
dense 3 softmax
"""


def numerics():
    keras.backend.clear_session()
    model, shape = keras_model(NUMERICS_MODEL)
    weights = {}
    rng = np.random.default_rng(20261122)  # the fixture stores every value, so any RNG will do
    for layer in model.layers:
        for var in layer.weights:
            # Kernels uniform in +-sqrt(6/fan_in) (He-like, so signals survive relu), the rest small.
            scale = math.sqrt(6.0 / int(np.prod(var.shape[:-1]))) if len(var.shape) > 1 else 0.3
            values = rng.uniform(-scale, scale, size=var.shape).astype(np.float32).reshape(-1)
            path = var.path.split("/", 1)[1]  # "sequential/conv2d/kernel" -> "conv2d/kernel"
            if "moving_variance" in path or "gamma" in path:
                values = np.abs(values) + 0.5
            var.assign(values.reshape(var.shape))
            weights[path] = {"shape": list(var.shape), "values": values.tolist()}
    batch = rng.uniform(0, 1, size=(2,) + shape).astype(np.float32)  # two images, pixels in [0, 1]
    probs = model(batch, training=False).numpy()
    return {
        "model": NUMERICS_MODEL,
        "weights": weights,
        "images": batch.reshape(2, -1).tolist(),
        "probabilities": probs.tolist(),
        "keras_version": keras.__version__,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "keras_summaries.json"), "w") as f:
        json.dump(summaries(), f, indent=1)
    with open(os.path.join(OUT, "keras_numerics.json"), "w") as f:
        json.dump(numerics(), f)
    print("wrote", OUT)


if __name__ == "__main__":
    sys.exit(main())
