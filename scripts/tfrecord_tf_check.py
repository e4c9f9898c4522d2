#!/usr/bin/env python3
"""Reads shards written by `convnetc data tfrecord` with TensorFlow, the codelab's way.

    /tmp/tfvenv/bin/python scripts/tfrecord_tf_check.py "/tmp/flowers-tfrec/*.tfrec" [--size 192x192]

TFRecordDataset checks both CRCs of every record; the parsing function is the codelab's
read_tfrecord (image as a JPEG string, class as int64, label as bytes, size and one_hot_class),
and every image is decoded with tf.image.decode_jpeg. Prints one JSON line: records, per-class
counts, class names, image sizes seen. Exits 1 on any mismatch (a class name that does not match
its index, a one-hot vector that does not match the class, a size that is not the image's).
"""
import json
import sys

import tensorflow as tf


def read_tfrecord(example):
    # The codelab's parsing function (Keras on TPU, flowers), plus the fields it skips.
    features = {
        "image": tf.io.FixedLenFeature([], tf.string),  # tf.string means bytestring
        "class": tf.io.FixedLenFeature([], tf.int64),   # shape [] means scalar
        "label": tf.io.FixedLenFeature([], tf.string),
        "size": tf.io.FixedLenFeature([2], tf.int64),
        "one_hot_class": tf.io.VarLenFeature(tf.float32),
    }
    example = tf.io.parse_single_example(example, features)
    image = tf.image.decode_jpeg(example["image"], channels=3)
    one_hot = tf.sparse.to_dense(example["one_hot_class"])
    return image, example["class"], example["label"], example["size"], one_hot


def main():
    pattern = sys.argv[1]
    expected_size = None
    if "--size" in sys.argv:
        h, w = sys.argv[sys.argv.index("--size") + 1].split("x")
        expected_size = [int(h), int(w)]
    files = sorted(tf.io.gfile.glob(pattern))
    dataset = tf.data.TFRecordDataset(files).map(read_tfrecord)
    counts, names, sizes, errors = {}, {}, set(), []
    n = 0
    for image, cls, label, size, one_hot in dataset:
        n += 1
        c = int(cls)
        counts[c] = counts.get(c, 0) + 1
        name = label.numpy().decode()
        if names.setdefault(c, name) != name:
            errors.append(f"record {n}: class {c} is named {name}, earlier {names[c]}")
        shape = [int(image.shape[0]), int(image.shape[1])]
        if [int(v) for v in size.numpy()] != shape:
            errors.append(f"record {n}: size {size.numpy().tolist()} but the JPEG is {shape}")
        if expected_size and shape != expected_size:
            errors.append(f"record {n}: image {shape}, expected {expected_size}")
        hot = one_hot.numpy().tolist()
        if hot.index(max(hot)) != c or sum(hot) != 1.0:
            errors.append(f"record {n}: one_hot_class {hot} does not match class {c}")
        sizes.add(tuple(shape))
    print(json.dumps({
        "tensorflow": tf.__version__,
        "files": len(files),
        "records": n,
        "class_counts": {names[c]: counts[c] for c in sorted(counts)},
        "distinct_image_sizes": len(sizes),
        "errors": errors[:10],
    }))
    sys.exit(1 if errors or n == 0 else 0)


if __name__ == "__main__":
    main()
