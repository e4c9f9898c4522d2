#!/usr/bin/env python3
"""Write the reference bytes used by SafetensorsReferenceFixtureTests.swift.

Runs the `safetensors` package (the format's reference implementation, Rust underneath) on a
few tensors of mixed dtypes, including a zero-size one, and prints the file as base64. The
Swift test checks that convnetc's writer produces exactly these bytes and its reader the same
values. Needs `pip install safetensors numpy`; the tests themselves never run Python.

    python3 scripts/make_safetensors_fixture.py
"""
import base64
import safetensors
import numpy as np
from safetensors.numpy import save

tensors = {
    "conv2d/kernel": (np.arange(54, dtype=np.float32) * 0.25 - 3).reshape(3, 3, 3, 2),
    "dense/bias": np.array([1, -2, 3.5, 1e-8, np.inf], dtype=np.float32),
    "step": np.array(123456789012, dtype=np.int64),
    "labels": np.array([0, -4, 7], dtype=np.int32),
    "aa": np.zeros((2, 0), dtype=np.float32),
}
# One metadata key only: the reference keeps metadata in a hash map, so with several keys
# its order (and so its bytes) is not fixed.
blob = save(tensors, metadata={"format": "x"})
print(f"# safetensors {safetensors.__version__}, {len(blob)} bytes")
print(base64.b64encode(blob).decode())
