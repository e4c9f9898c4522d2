# convnetc: build, test, benchmark.
# OpenBLAS (Debian's DYNAMIC_ARCH build) picks slow SSE3 kernels on this CPU unless told the core
# type at exec time; convnetc re-execs itself with it, and make exports it for the tools it runs.
export OPENBLAS_CORETYPE ?= SkylakeX

SWIFT ?= swift
BIN := .build/release/convnetc

.PHONY: all build test bench clean flowers generate fuzz

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

# Fuzzing (libFuzzer, through `swift build --sanitize=fuzzer`): every target for FUZZ_SECONDS
# each, or FUZZ_RUNS executions when set. New corpus entries go to fuzz/work/ (not committed);
# a crash lands in fuzz/crashes/TARGET/, which `make test` replays (commit it with its fix).
FUZZ_BIN := .build/fuzz/release/convnetc-fuzz
FUZZ_TARGETS ?= frontend safetensors images tfrecord hdf5
FUZZ_SECONDS ?= 60
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))

fuzz:
	$(SWIFT) build -c release --product convnetc-fuzz --sanitize=fuzzer --build-path .build/fuzz -Xswiftc -DCONVNETC_LIBFUZZER
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/work/$$t fuzz/crashes/$$t; \
		dict=; [ $$t = frontend ] && dict=-dict=fuzz/convnet.dict; \
		maxlen=4096; [ $$t = hdf5 ] && maxlen=65536; \
		echo "== $$t"; \
		$(FUZZ_BIN) $$t fuzz/work/$$t fuzz/seeds/$$t $$dict $(FUZZ_LIMIT) -max_len=$$maxlen -timeout=10 \
			-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=fuzz/crashes/$$t/ || exit 1; \
	done

bench: build
	./bench/run.sh

# The main job: train samples/flowers-best.convnet, our best flowers recipe, on the fastest target.
# FLOWERS_FLAGS=--resume continues an earlier run, --overwrite replaces it.
flowers: build
	@echo "make flowers: training samples/flowers-best.convnet on the cpu target, 32 epochs: about 16 minutes"
	@echo "on an otherwise idle 2-core machine; the README's run ended at 0.886 validation accuracy."
	@echo "Results land in runs/flowers-best/ (curves.svg, confusion.svg, predictions.svg, model.safetensors)."
	$(BIN) samples/flowers-best.convnet --run --target cpu $(FLOWERS_FLAGS)

clean:
	rm -rf .build
