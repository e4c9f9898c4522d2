#!/usr/bin/env python3
"""Print the tensors and metadata of a convnetc checkpoint (or any safetensors file).

Needs only numpy: the format is an 8-byte little-endian header length N, N bytes of JSON,
then raw little-endian data, offsets relative to the end of the header. This proves the
checkpoints are readable without convnetc or the `safetensors` package.

    python3 scripts/read_checkpoint.py runs/flowers/checkpoints/epoch-020.safetensors
    python3 scripts/read_checkpoint.py CKPT --values   # also print a few values per tensor
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8,
          "F16": np.float16, "I16": np.int16, "I8": np.int8, "U16": np.uint16, "U32": np.uint32,
          "U64": np.uint64, "BOOL": np.bool_}


def read(path):
    """Return (metadata dict, {name: numpy array}) with the arrays in file order."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"{path}: header length {n} runs past the end of the file")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = blob[8 + n:]
    tensors = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")
        array = np.frombuffer(data[begin:end], dtype=dtype)
        tensors[name] = array.reshape(info["shape"])
    return metadata, tensors


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip())
        return 2
    metadata, tensors = read(argv[1])
    show_values = "--values" in argv
    for key in sorted(metadata):
        value = metadata[key]
        if key == "class_names":
            value = ", ".join(json.loads(value))
        print(f"{key}: {value}")
    total = 0
    width = max((len(name) for name in tensors), default=0)
    for name, array in tensors.items():
        total += array.size if not name.startswith("optimizer/") else 0
        line = f"{name:<{width}}  {str(array.dtype):<8} {tuple(array.shape)}"
        if show_values:
            line += "  " + np.array2string(array.ravel()[:4], precision=4)
        print(line)
    print(f"model parameters: {total:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
