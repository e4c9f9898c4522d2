#!/usr/bin/env bash
# `make bench`: build the release benchmark binary and run it from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product convnetc-bench
.build/release/convnetc-bench "$PWD"
