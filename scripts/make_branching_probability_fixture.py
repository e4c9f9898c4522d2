#!/usr/bin/env python3
"""Writes Tests/ConvnetDriverTests/Fixtures/keras_branching/: a small branching model trained
in Keras, and the probabilities Keras predicts with it, for convnetc's CPU and native targets
to match (to 1e-3) from Keras' own weight files.

Run with TensorFlow 2.21 / Keras 3, safetensors and pillow (the tests never need them):

    /tmp/tfvenv/bin/python scripts/make_branching_probability_fixture.py

The model (branching.convnet, written here too) has a squeezenet fire module (a concat of two
branches), a residual (Keras Add), a standalone activation, a separable and a depthwise
convolution and five batch normalizations. The Keras twin is built layer for layer with
convnetc's layer names (the order `convnetc summary` lists), initialised with Keras' own
initialisers under a fixed seed, then trained for a few Adam steps on generated 16x16 images
whose class is their dominant colour, so that weights and batch-norm moving statistics are no
longer their initial values. It writes:

  branching.convnet        the model in convnetc's language
  branching.weights.h5     Keras 3's model.save_weights file
  branching.safetensors    weights only, Keras names `layer/variable`, no convnetc metadata
  image0.png .. image3.png four 16x16 RGB images (lossless), at the model's input size, so no
                           resize happens: both sides read the same bytes and scale them by 1/255
  branching.json           the model text, input size, image files, weight names, Keras'
                           `predict` probabilities for the images, the training loss per step
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers
from PIL import Image
from safetensors.numpy import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ConvnetDriverTests",
                   "Fixtures", "keras_branching")
SIZE = 16
CLASSES = 3
STEPS = 10
BATCH = 16

MODEL = """# A small branching model trained in Keras (scripts/make_branching_probability_fixture.py):
# its probabilities on four images are matched by the CPU and native targets.
input 16x16x3
conv 3x3x8 relu
batchnorm momentum 0.9

block fire(squeeze, expand) {
  conv 1x1x{squeeze} relu
  batchnorm momentum 0.9
  concat {
    branch { conv 1x1x{expand} relu; batchnorm momentum 0.9 }
    branch { conv 3x3x{expand} relu; batchnorm momentum 0.9 }
  }
}

fire(4, 8); maxpool 2
residual {
  conv 3x3x16 relu
  conv 3x3x16
}
activation relu
sepconv 3x3x12 relu
batchnorm
dwconv 3x3 multiplier 2 relu
gap
dense 3 softmax
"""


def build():
    """The Keras twin of MODEL, every layer named as convnetc names it."""
    inputs = keras.Input((SIZE, SIZE, 3))
    x = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2d")(inputs)
    x = layers.BatchNormalization(momentum=0.9, name="batch_normalization")(x)
    # fire(4, 8)
    x = layers.Conv2D(4, 1, padding="same", activation="relu", name="conv2d_1")(x)
    x = layers.BatchNormalization(momentum=0.9, name="batch_normalization_1")(x)
    a = layers.Conv2D(8, 1, padding="same", activation="relu", name="conv2d_2")(x)
    a = layers.BatchNormalization(momentum=0.9, name="batch_normalization_2")(a)
    b = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2d_3")(x)
    b = layers.BatchNormalization(momentum=0.9, name="batch_normalization_3")(b)
    x = layers.Concatenate(name="concatenate")([a, b])
    x = layers.MaxPooling2D(2, name="max_pooling2d")(x)
    # residual: body + identity
    y = layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2d_4")(x)
    y = layers.Conv2D(16, 3, padding="same", name="conv2d_5")(y)
    x = layers.Add(name="add")([y, x])
    x = layers.Activation("relu", name="activation")(x)
    x = layers.SeparableConv2D(12, 3, padding="same", activation="relu", name="separable_conv2d")(x)
    x = layers.BatchNormalization(name="batch_normalization_4")(x)
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu", name="depthwise_conv2d")(x)
    x = layers.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
    outputs = layers.Dense(CLASSES, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs, name="branching")


def colour_images(rng, count):
    """uint8 (count, 16, 16, 3) images whose class is the channel lifted above the noise."""
    labels = rng.integers(0, CLASSES, count)
    pixels = rng.integers(0, 140, (count, SIZE, SIZE, 3)).astype(np.int32)
    for i, label in enumerate(labels):
        pixels[i, :, :, label] += 60 + rng.integers(0, 56)
    return np.clip(pixels, 0, 255).astype(np.uint8), labels


def main():
    os.makedirs(OUT, exist_ok=True)
    keras.utils.set_random_seed(15)
    rng = np.random.default_rng(15)
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    losses = []
    for _ in range(STEPS):
        images, labels = colour_images(rng, BATCH)
        losses.append(float(model.train_on_batch(images.astype(np.float32) / 255.0, labels)))

    test_images, test_labels = colour_images(rng, 4)
    names = []
    for i, array in enumerate(test_images):
        name = f"image{i}.png"
        Image.fromarray(array).save(os.path.join(OUT, name))
        # What convnetc will read: the PNG's bytes, decoded.
        assert np.array_equal(np.asarray(Image.open(os.path.join(OUT, name)).convert("RGB")), array)
        names.append(name)
    probabilities = model.predict(test_images.astype(np.float32) / 255.0, verbose=0)

    with open(os.path.join(OUT, "branching.convnet"), "w") as f:
        f.write(MODEL)
    model.save_weights(os.path.join(OUT, "branching.weights.h5"))
    by_layer = {f"{layer.name}/{w.name}": np.asarray(w.numpy(), dtype=np.float32)
                for layer in model.layers for w in layer.weights}
    save_file(by_layer, os.path.join(OUT, "branching.safetensors"))
    moved = {k: float(np.abs(v - (1.0 if k.endswith("moving_variance") else 0.0)).max())
             for k, v in by_layer.items() if "moving" in k}
    with open(os.path.join(OUT, "branching.json"), "w") as f:
        json.dump({
            "model": MODEL,
            "input": f"{SIZE}x{SIZE}x3",
            "images": names,
            "labels": [int(l) for l in test_labels],
            "weights": sorted(by_layer),
            "probabilities": probabilities.astype(float).tolist(),
            "training": {"steps": STEPS, "batch": BATCH, "optimizer": "adam lr 0.01", "loss": losses},
            "keras_layers": [layer.name for layer in model.layers],
            "keras_version": keras.__version__,
        }, f, indent=1)
        f.write("\n")
    print("losses", [round(l, 4) for l in losses[::8]], file=sys.stderr)
    print("moving statistics moved from their initial values by up to", max(moved.values()), file=sys.stderr)
    print("probabilities", np.round(probabilities, 4).tolist(), "labels", test_labels.tolist(), file=sys.stderr)
    print("wrote", sorted(os.listdir(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
