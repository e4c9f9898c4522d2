#!/usr/bin/env bash
# `make bench`: build the release benchmark binary and run it from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product convnetc-bench
# The runtime library native binaries link (the native target's figures use it).
swift build -c release --product ConvnetRuntime
# TF_PYTHON=/path/to/venv/bin/python adds the TensorFlow peer (bench/tf_peer.py), interleaved.
.build/release/convnetc-bench "$PWD"
