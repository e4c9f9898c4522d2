#!/usr/bin/env python3
"""Writes Tests/ConvnetDataTests/Fixtures/tf-codelab.tfrec with TensorFlow's own TFRecordWriter,
in the codelab's schema (the flowers notebook's to_tfrecord): 6 records, classes 0, 1, 2, 0, 1, 2
named daisy/roses/tulips, each a 16x16 JPEG of one flat colour (record i: R = 40 i + 20,
G = 200 - 30 i, B = 90) encoded by tf.io.encode_jpeg, size [16, 16], one_hot_class of length 3.

    /tmp/tfvenv/bin/python scripts/make_tfrecord_fixture.py

The test (TFRecordTests.testReadsRecordsWrittenByTensorFlow) checks every field and colour.
"""
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "ConvnetDataTests", "Fixtures", "tf-codelab.tfrec")
CLASSES = [b"daisy", b"roses", b"tulips"]


def _bytestring_feature(list_of_bytestrings):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=list_of_bytestrings))


def _int_feature(list_of_ints):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=list_of_ints))


def _float_feature(list_of_floats):
    return tf.train.Feature(float_list=tf.train.FloatList(value=list_of_floats))


def to_tfrecord(img_bytes, label, height, width):
    # As in the codelab's conversion notebook.
    class_num = CLASSES.index(label)
    one_hot_class = np.eye(len(CLASSES))[class_num]
    feature = {
        "image": _bytestring_feature([img_bytes]),
        "class": _int_feature([class_num]),
        "label": _bytestring_feature([label]),
        "size": _int_feature([height, width]),
        "one_hot_class": _float_feature(one_hot_class.tolist()),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature))


def main():
    with tf.io.TFRecordWriter(OUT) as out:
        for i in range(6):
            pixels = np.zeros((16, 16, 3), dtype=np.uint8)
            pixels[:, :] = [40 * i + 20, 200 - 30 * i, 90]
            jpeg = tf.io.encode_jpeg(pixels, quality=95).numpy()
            out.write(to_tfrecord(jpeg, CLASSES[i % 3], 16, 16).SerializeToString())
    print(OUT, os.path.getsize(OUT))


if __name__ == "__main__":
    main()
