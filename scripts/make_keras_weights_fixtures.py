#!/usr/bin/env python3
"""Writes the Keras weight-import fixtures of Tests/ConvnetDriverTests/Fixtures/keras_weights/.

Run with TensorFlow 2.21 / Keras 3, h5py, safetensors and pillow (the tests never need them):

    /tmp/tfvenv/bin/python scripts/make_keras_weights_fixtures.py

For each model (samples/one-line.convnet at 16x16x3, and a small model with batch normalization)
it builds the Keras twin with convnetc's layer names, gives every weight a seeded random value
(batch normalization's moving variance positive), and writes:

  NAME.weights.h5         Keras 3's own model.save_weights file (groups layers/<layer>/vars/<i>)
  NAME.safetensors        weights only, Keras names `layer/variable`, no convnetc metadata
  NAME.path.safetensors   the same under Keras 3's `variable.path` (`NAME/conv2d/kernel`)
  NAME.json               the model text, the input size, the image files and the
                          probabilities Keras computes for them (the images scaled to [0, 1])
and two PNG images (16x16, lossless so both sides see the same pixels). It also writes
graph.weights.h5 and graph.safetensors: a graph model (residual, concat, separable and depthwise
convolutions, a standalone activation, a convolution without bias, batch normalization with
its own momentum and epsilon) whose h5 groups and variable order the import must map;
mismatch.weights.h5: a model whose tensors do not fit one-line (for the error tests), and
keras2-layout.h5: an HDF5 file in Keras 2's `model_weights/<layer>/<layer>/kernel:0` layout, which
convnetc refuses with advice.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import h5py
import numpy as np
import keras
from keras import layers
from PIL import Image
from safetensors.numpy import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ConvnetDriverTests",
                   "Fixtures", "keras_weights")
SIZE = 16

ONE_LINE = "conv 3x3x32 relu; maxpool 2; gap; dense 5 softmax\n"
BATCHNORM = """# A small model with batch normalization, for the Keras weight-import tests.
input 16x16x3
conv 3x3x8 relu
batchnorm
maxpool 2
conv 3x3x6 stride 2 relu
batchnorm
flatten
dense 4 softmax
"""


def one_line(name):
    return keras.Sequential([
        keras.Input((SIZE, SIZE, 3)),
        layers.Conv2D(32, (3, 3), padding="same", activation="relu", name="conv2d"),
        layers.MaxPooling2D(2, name="max_pooling2d"),
        layers.GlobalAveragePooling2D(name="global_average_pooling2d"),
        layers.Dense(5, activation="softmax", name="dense"),
    ], name=name)


def batchnorm(name):
    return keras.Sequential([
        keras.Input((SIZE, SIZE, 3)),
        layers.Conv2D(8, (3, 3), padding="same", activation="relu", name="conv2d"),
        layers.BatchNormalization(name="batch_normalization"),
        layers.MaxPooling2D(2, name="max_pooling2d"),
        layers.Conv2D(6, (3, 3), strides=2, padding="same", activation="relu", name="conv2d_1"),
        layers.BatchNormalization(name="batch_normalization_1"),
        layers.Flatten(name="flatten"),
        layers.Dense(4, activation="softmax", name="dense"),
    ], name=name)


GRAPH = """# A graph model for the Keras weight-import tests: every layer kind with weights.
input 16x16x3
conv 3x3x8 bias off
batchnorm momentum 0.9 epsilon 0.0001
activation relu
residual {
  conv 3x3x8 relu
  conv 3x3x8
}
concat {
  branch { conv 1x1x4 relu }
  branch { sepconv 3x3x4 multiplier 2 relu }
  branch { dwconv 3x3 relu }
}
maxpool 2 padding same
gap
dense 3 softmax
"""


def graph(name):
    inputs = keras.Input((SIZE, SIZE, 3))
    x = layers.Conv2D(8, 3, padding="same", use_bias=False, name="conv2d")(inputs)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-4, name="batch_normalization")(x)
    x = layers.Activation("relu", name="activation")(x)
    y = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2d_1")(x)
    y = layers.Conv2D(8, 3, padding="same", name="conv2d_2")(y)
    x = layers.Add(name="add")([y, x])
    a = layers.Conv2D(4, 1, padding="same", activation="relu", name="conv2d_3")(x)
    b = layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, activation="relu", name="separable_conv2d")(x)
    c = layers.DepthwiseConv2D(3, padding="same", activation="relu", name="depthwise_conv2d")(x)
    x = layers.Concatenate(name="concatenate")([a, b, c])
    x = layers.MaxPooling2D(2, padding="same", name="max_pooling2d")(x)
    x = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
    outputs = layers.Dense(3, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs, name=name)


def mismatch(name):
    """one-line's layers with other sizes and one layer more: misshapen, extra and missing."""
    return keras.Sequential([
        keras.Input((SIZE, SIZE, 3)),
        layers.Conv2D(16, (3, 3), padding="same", activation="relu", name="conv2d"),
        layers.MaxPooling2D(2, name="max_pooling2d"),
        layers.GlobalAveragePooling2D(name="global_average_pooling2d"),
        layers.Dense(8, activation="relu", name="dense"),
        layers.Dense(5, activation="softmax", name="dense_1"),
    ], name=name)


def randomize(model, rng):
    for w in model.weights:
        shape = tuple(w.shape)
        if w.name == "moving_variance":
            value = rng.uniform(0.5, 2.0, shape)
        elif w.name == "gamma":
            value = rng.uniform(0.5, 1.5, shape)
        else:
            value = rng.uniform(-0.5, 0.5, shape)
        w.assign(value.astype(np.float32))


def images(rng):
    names = []
    pixels = []
    for i in range(2):
        array = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
        name = f"image{i}.png"
        Image.fromarray(array).save(os.path.join(OUT, name))
        names.append(name)
        pixels.append(array.astype(np.float32) / 255.0)
    return names, np.stack(pixels)


def write(model, stem, text, image_names, pixels):
    model.save_weights(os.path.join(OUT, stem + ".weights.h5"))
    by_layer = {f"{layer.name}/{w.name}": np.asarray(w.numpy(), dtype=np.float32)
                for layer in model.layers for w in layer.weights}
    save_file(by_layer, os.path.join(OUT, stem + ".safetensors"))
    by_path = {w.path: np.asarray(w.numpy(), dtype=np.float32) for w in model.weights}
    save_file(by_path, os.path.join(OUT, stem + ".path.safetensors"))
    probabilities = model(pixels, training=False).numpy()
    with open(os.path.join(OUT, stem + ".json"), "w") as f:
        json.dump({
            "model": text,
            "input": f"{SIZE}x{SIZE}x3",
            "images": image_names,
            "weights": sorted(by_layer),
            "probabilities": probabilities.astype(float).tolist(),
            "keras_version": keras.__version__,
        }, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(17)
    image_names, pixels = images(rng)
    for stem, build, text in [("one-line", one_line, ONE_LINE), ("batchnorm", batchnorm, BATCHNORM)]:
        model = build(stem.replace("-", "_"))
        randomize(model, rng)
        write(model, stem, text, image_names, pixels)
    model = graph("graph")
    randomize(model, rng)
    write(model, "graph", GRAPH, image_names, pixels)
    wrong = mismatch("mismatch")
    randomize(wrong, rng)
    wrong.save_weights(os.path.join(OUT, "mismatch.weights.h5"))
    with h5py.File(os.path.join(OUT, "keras2-layout.h5"), "w") as f:
        f.attrs["layer_names"] = [b"conv2d"]
        f.create_dataset("model_weights/conv2d/conv2d/kernel:0", data=np.zeros((3, 3, 3, 32), np.float32))
    print("wrote", sorted(os.listdir(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
