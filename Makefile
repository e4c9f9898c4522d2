# convnetc: build, test, benchmark.
# OpenBLAS (Debian's DYNAMIC_ARCH build) picks slow SSE3 kernels on this CPU unless told the core
# type at exec time; convnetc re-execs itself with it, and make exports it for the tools it runs.
export OPENBLAS_CORETYPE ?= SkylakeX

SWIFT ?= swift
BIN := .build/release/convnetc

.PHONY: all build test bench clean flowers generate

all: build

# convnetc, and the runtime library its native binaries link (libConvnetRuntime.so, beside it).
build:
	$(SWIFT) build -c release --product convnetc
	$(SWIFT) build -c release --product ConvnetRuntime

# Rewrites the generated sources from their generators (a test fails when they differ).
generate:
	python3 scripts/gen_microkernels.py

test:
	$(SWIFT) test --disable-swift-testing

bench: build
	./bench/run.sh

flowers: build
	$(BIN) samples/flowers.convnet --run --target cpu

clean:
	rm -rf .build
