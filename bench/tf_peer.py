#!/usr/bin/env python3
"""The TensorFlow peer for `make bench`: trains and runs a .convnet model with Keras on random
data, the way the codelab's model.fit would, and prints one JSON line of images/s.

    bench/tf_peer.py MODEL.convnet --batch 32 --steps 20

The model is built by scripts/keras_fixtures.py's reader, independently of convnetc's parser.
Never run by the tests or CI; `make bench` runs it when a TensorFlow venv exists (TF_PYTHON).
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras_fixtures import keras_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()

    with open(args.model) as f:
        model, shape = keras_model(f.read())
    classes = model.layers[-1].units
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(1)
    n = args.batch * (args.steps + args.warmup)
    x = rng.uniform(0, 1, size=(n,) + shape).astype(np.float32)
    y = rng.integers(0, classes, size=(n,)).astype(np.int32)

    # Warm-up (graph tracing), then timed steps: train_on_batch is model.fit's step.
    for i in range(args.warmup):
        model.train_on_batch(x[i * args.batch:(i + 1) * args.batch], y[i * args.batch:(i + 1) * args.batch])
    t0 = time.perf_counter()
    for i in range(args.warmup, args.warmup + args.steps):
        model.train_on_batch(x[i * args.batch:(i + 1) * args.batch], y[i * args.batch:(i + 1) * args.batch])
    train_s = time.perf_counter() - t0

    predict = tf.function(lambda b: model(b, training=False))
    predict(x[:args.batch])
    t0 = time.perf_counter()
    for i in range(args.steps):
        predict(x[i * args.batch:(i + 1) * args.batch]).numpy()
    infer_s = time.perf_counter() - t0

    print(json.dumps({
        "peer": f"TensorFlow {tf.__version__} CPU",
        "train_images_per_sec": args.batch * args.steps / train_s,
        "inference_images_per_sec": args.batch * args.steps / infer_s,
    }))


if __name__ == "__main__":
    main()
