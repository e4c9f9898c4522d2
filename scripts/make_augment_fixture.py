"""Writes Tests/ConvnetDataTests/Fixtures/augment-tf.json: tf.image.adjust_saturation,
adjust_contrast and adjust_brightness of a small fixed RGB image at fixed factors, a crop window
resized back with tf.image.resize, and Keras RandomZoom at fixed factors (TensorFlow 2.x, CPU), so
convnetc's augmentations are checked against TensorFlow's definitions without the tests needing
TensorFlow.

Run: /tmp/tfvenv/bin/python scripts/make_augment_fixture.py
"""
import json
import os

import keras
import numpy as np
import tensorflow as tf

H, W = 5, 6


def image():
    """Bytes / 255 as convnetc's batches hold them: a colour ramp plus the edge cases (black, white,
    grey, a pure primary, a pixel whose saturation clips at factor 2)."""
    px = np.zeros((H, W, 3), dtype=np.int64)
    for y in range(H):
        for x in range(W):
            px[y, x] = ((37 * x + 11 * y * y) % 256, (91 * y + 13 * x * x) % 256, (17 * (x + y) + 150) % 256)
    px[0, 0] = (0, 0, 0)
    px[0, 1] = (255, 255, 255)
    px[0, 2] = (128, 128, 128)
    px[0, 3] = (255, 0, 0)
    px[0, 4] = (200, 120, 90)
    px[0, 5] = (10, 0, 5)
    return px.astype(np.float32) / 255.0


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def main():
    x = image()
    out = {"height": H, "width": W, "channels": 3, "image": flat(x), "saturation": [], "contrast": [], "brightness": [],
           "crop": [], "zoom": []}
    for f in (0.0, 0.5, 1.0, 1.7, 2.0, 3.0):
        out["saturation"].append({"factor": f, "output": flat(tf.image.adjust_saturation(x, f))})
    for f in (0.0, 0.3, 1.0, 1.8):
        out["contrast"].append({"factor": f, "output": flat(tf.image.adjust_contrast(x, f))})
    for d in (-0.2, 0.15):
        out["brightness"].append({"delta": d, "output": flat(tf.image.adjust_brightness(x, d))})
    for top, left, h, w in ((1, 2, 3, 4), (0, 0, 4, 5), (2, 1, 2, 2)):
        window = tf.image.crop_to_bounding_box(x, top, left, h, w)
        out["crop"].append({"top": top, "left": left, "height": h, "width": w,
                            "output": flat(tf.image.resize(window, [H, W], method="bilinear"))})
    for factor in (0.7, 0.85, 1.25, 1.6):
        # A range of one value: RandomZoom's factor is 1 + U(lower, upper), here exactly `factor`.
        zoom = keras.layers.RandomZoom((factor - 1, factor - 1), fill_mode="reflect", interpolation="bilinear")
        out["zoom"].append({"factor": factor, "output": flat(zoom(x[None], training=True)[0])})
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "ConvnetDataTests", "Fixtures", "augment-tf.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path), "with TensorFlow", tf.__version__)


if __name__ == "__main__":
    main()
