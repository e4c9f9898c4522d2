#!/usr/bin/env python3
"""The TensorFlow peer for `make bench`: trains and runs a .convnet model with Keras on random
data, the way the codelab's model.fit would, and prints one JSON line of images/s.

    bench/tf_peer.py MODEL.convnet --batch 32 --steps 20
    bench/tf_peer.py MODEL.convnet --batch 32 --serve

With --serve it builds and warms up once, prints {"peer": ...}, then answers each line
"train N" or "infer N" on stdin with {"images_per_sec": R} for N timed steps, so `make bench`
can time it right next to its own runs without paying TensorFlow's start-up every round.

The model is built by scripts/keras_fixtures.py's reader, independently of convnetc's parser;
that reader knows sequential models only, so a branching sample is named with --keras NAME
instead, built by the function of that name in scripts/keras_graph_fixtures.py (the Keras
functional model its summary fixture is checked against), e.g.

    bench/tf_peer.py samples/squeezenet.convnet --keras squeezenet --batch 32 --serve

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
import keras_graph_fixtures  # noqa: E402

# The branching samples in Keras' functional API (--keras NAME).
GRAPH_BUILDERS = {
    "squeezenet": keras_graph_fixtures.squeezenet,
    "resnet_small": keras_graph_fixtures.resnet_small,
    "xception_small": keras_graph_fixtures.xception_small,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--keras", choices=sorted(GRAPH_BUILDERS),
                    help="build this branching sample with scripts/keras_graph_fixtures.py instead of reading MODEL")
    args = ap.parse_args()

    if args.keras:
        model = GRAPH_BUILDERS[args.keras]()
        shape = tuple(model.input_shape[1:])
    else:
        with open(args.model) as f:
            model, shape = keras_model(f.read())
    classes = model.layers[-1].units
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(1)
    n = args.batch * (args.steps + args.warmup)
    x = rng.uniform(0, 1, size=(n,) + shape).astype(np.float32)
    y = rng.integers(0, classes, size=(n,)).astype(np.int32)

    def batch(i):
        i %= args.steps + args.warmup
        return x[i * args.batch:(i + 1) * args.batch], y[i * args.batch:(i + 1) * args.batch]

    predict = tf.function(lambda b: model(b, training=False))

    def train_rate(steps, first):
        t0 = time.perf_counter()
        for i in range(first, first + steps):
            model.train_on_batch(*batch(i))
        return args.batch * steps / (time.perf_counter() - t0)

    def infer_rate(steps):
        t0 = time.perf_counter()
        for i in range(steps):
            predict(batch(i)[0]).numpy()
        return args.batch * steps / (time.perf_counter() - t0)

    # Warm-up (graph tracing), then timed steps: train_on_batch is model.fit's step.
    for i in range(args.warmup):
        model.train_on_batch(*batch(i))
    predict(batch(0)[0])
    name = f"TensorFlow {tf.__version__} CPU"
    if args.serve:
        print(json.dumps({"peer": name}), flush=True)
        for line in sys.stdin:
            words = line.split()
            if len(words) != 2 or words[0] not in ("train", "infer") or not words[1].isdigit():
                print(json.dumps({"error": f"expected 'train N' or 'infer N', got {line.strip()!r}"}), flush=True)
                continue
            steps = max(1, int(words[1]))
            rate = train_rate(steps, args.warmup) if words[0] == "train" else infer_rate(steps)
            print(json.dumps({"images_per_sec": rate}), flush=True)
        return
    print(json.dumps({
        "peer": name,
        "train_images_per_sec": train_rate(args.steps, args.warmup),
        "inference_images_per_sec": infer_rate(args.steps),
    }))


if __name__ == "__main__":
    main()
