#!/usr/bin/env python3
"""Writes the small seed inputs of the fuzz targets that are not text (fuzz/seeds/{images,safetensors,tfrecord}).

Run with any Python 3 that has Pillow (e.g. /tmp/tfvenv/bin/python scripts/make_fuzz_seeds.py).
The front end's seeds are the samples and hand-written .convnet files, copied as they are.
"""
import io, json, os, struct, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "seeds")


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def images():
    from PIL import Image
    img = Image.new("RGB", (6, 5))
    for y in range(5):
        for x in range(6):
            img.putpixel((x, y), (x * 40, y * 50, (x + y) * 20))
    for fmt, name, kwargs in [("JPEG", "tiny.jpg", {"quality": 80}), ("PNG", "tiny.png", {}),
                              ("JPEG", "progressive.jpg", {"progressive": True}), ]:
        b = io.BytesIO()
        img.save(b, fmt, **kwargs)
        write("images", name, b.getvalue())
    b = io.BytesIO()
    img.convert("L").save(b, "PNG")
    write("images", "gray.png", b.getvalue())
    b = io.BytesIO()
    img.convert("RGBA").save(b, "PNG")
    write("images", "rgba.png", b.getvalue())
    b = io.BytesIO()
    img.convert("P").save(b, "PNG")
    write("images", "palette.png", b.getvalue())


def safetensors():
    tensors = {"conv2d/kernel": ([1, 1, 3, 2], [0.5] * 6), "conv2d/bias": ([2], [0.0, 1.0]),
               "dense/kernel": ([2, 2], [1.0, -1.0, 0.25, 2.0]), "dense/bias": ([2], [0.0, 0.0])}
    meta = {"format": "convnetc-checkpoint", "format_version": "1", "step": "3", "epoch": "1", "seed": "1",
            "optimizer": "sgd", "learning_rate": "0.01", "model_hash": "sha256:00", "class_names": '["a","b"]'}
    header, offset, body = {"__metadata__": meta}, 0, b""
    for name, (shape, values) in tensors.items():
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        body += data
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    write("safetensors", "checkpoint.safetensors", struct.pack("<Q", len(text)) + text + body)


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(number, wire, payload):
    return varint(number << 3 | wire) + payload


def ld(number, data):
    return field(number, 2, varint(len(data)) + data)


def tfrecord():
    with open(os.path.join(ROOT, "images", "tiny.jpg"), "rb") as f:
        jpeg = f.read()
    def feature_entry(key, feature):
        return ld(1, ld(1, key.encode()) + ld(2, feature))
    image = ld(1, ld(1, jpeg))               # Feature.bytes_list
    label = ld(3, ld(1, varint(1)))           # Feature.int64_list (packed)
    example = ld(1, feature_entry("image", image) + feature_entry("class", label))
    record = struct.pack("<Q", len(example))
    out = record + struct.pack("<I", masked(record)) + example + struct.pack("<I", masked(example))
    write("tfrecord", "one.tfrec", out)


if __name__ == "__main__":
    images()
    safetensors()
    tfrecord()
