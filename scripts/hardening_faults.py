#!/usr/bin/env python3
"""Issue 19's faults, as command lines, against a given convnetc binary.

    python3 scripts/hardening_faults.py path/to/convnetc [--only NAME...] [--photos DIR]

Each fault of issue 19 ("Nothing crashes, nothing hangs, nothing is lost") is run as the issue
describes it, in a fresh temporary folder, under a timeout and an address-space limit (ulimit -v
4000000: the TPU 2048x2048 model grew to 22.8 GB on the old main), and judged only by what a
user sees: the exit status (a signal is a crash), the time, the files left behind, the output.
One line per fault: name, expected behaviour, PASS/FAIL (with what was seen on a FAIL).

Run it on the binary before the hardening (commit 821aae8) and after to see each fault go from
FAIL to PASS; the README's hardening section quotes both tallies. Needs only python3's standard
library; the bad-image and symlink faults copy a few photos (default
../shared/datasets/flowers) into the temporary folder, never into the repository.
"""
import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

MEMORY_LIMIT_KB = 4_000_000
TIMEOUT = 60
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TINY = "input 16x16x3; conv 3x3x4 relu; gap; dense 5 softmax\n"
SMALL_DATA = ["--data", "synthetic:shapes:5:40", "--batch", "8", "--target", "cpu"]


class Run:
    def __init__(self, status, out, err, seconds, out_bytes, timed_out):
        self.status, self.out, self.err = status, out, err
        self.seconds, self.out_bytes, self.timed_out = seconds, out_bytes, timed_out

    @property
    def crashed(self):
        """Ended by a signal (a trap, a segfault, the OOM killer) or printed a trap's message."""
        return (self.status is not None and self.status < 0) or "Fatal error" in self.err or "Stack dump" in self.err

    @property
    def text(self):
        return self.out + self.err

    def brief(self):
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        what = f"signal {-self.status}" if self.status is not None and self.status < 0 else f"exit {self.status}"
        last = (self.err.strip().splitlines() or self.out.strip().splitlines() or [""])[-1][:100]
        return f"{what} in {self.seconds:.1f} s: {last}"


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_KB * 1024, MEMORY_LIMIT_KB * 1024))
    os.setsid()


def environment(extra=None):
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "OPENBLAS_CORETYPE": env.get("OPENBLAS_CORETYPE", "SkylakeX"),
                "OPENBLAS_NUM_THREADS": "1", "SWIFT_BACKTRACE": "enable=no"})
    env.update(extra or {})
    return env


def run(binary, args, cwd, timeout=TIMEOUT, keep=1 << 20, env=None, stdin=subprocess.DEVNULL):
    """Runs the binary to completion (or kills its process group at the timeout), counting every
    byte of output but keeping only the first `keep` of each stream."""
    start = time.time()
    p = subprocess.Popen([binary] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin,
                         preexec_fn=limit_memory, env=environment(env))
    kept = {"out": bytearray(), "err": bytearray()}
    counts = {"out": 0, "err": 0}

    def drain(stream, key):
        while True:
            chunk = stream.read(65536)
            if not chunk:
                break
            counts[key] += len(chunk)
            if len(kept[key]) < keep:
                kept[key] += chunk[:keep - len(kept[key])]

    threads = [threading.Thread(target=drain, args=(p.stdout, "out")), threading.Thread(target=drain, args=(p.stderr, "err"))]
    for t in threads:
        t.start()
    timed_out = False
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    for t in threads:
        t.join()
    return Run(p.returncode, kept["out"].decode("utf-8", "replace"), kept["err"].decode("utf-8", "replace"),
               time.time() - start, counts["out"] + counts["err"], timed_out)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# --- safetensors files, edited as a user (or a damaged disk) might ---

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def write_safetensors(path, header, body):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + body)


def edit_metadata(path, **changes):
    header, body = read_safetensors(path)
    header["__metadata__"].update(changes)
    write_safetensors(path, header, body)


def set_first_value(path, tensor, value_bytes):
    header, body = read_safetensors(path)
    start = header[tensor]["data_offsets"][0]
    body = body[:start] + value_bytes + body[start + len(value_bytes):]
    write_safetensors(path, header, body)


# --- PNG files without any imaging library ---

def png(path, width, height, rows, bit_depth):
    """An RGB PNG; `rows` are lists of channel values (0-255 or 0-65535)."""
    raw = b""
    for row in rows:
        raw += b"\x00" + b"".join((v.to_bytes(2, "big") if bit_depth == 16 else bytes([v])) for v in row)

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# --- shared fixtures (made once per binary, in the work folder) ---

class Context:
    def __init__(self, binary, work, photos):
        self.binary, self.work, self.photos = binary, work, photos
        self._trained = None

    def run(self, args, **kw):
        return run(self.binary, args, self.work, **kw)

    def folder(self, name):
        path = os.path.join(self.work, name)
        os.makedirs(path, exist_ok=True)
        return path

    def trained(self):
        """A two-epoch run of the tiny model (its weights and checkpoints), made once."""
        if self._trained is None:
            write(self.work, "tiny.convnet", TINY)
            r = self.run(["tiny.convnet", "--run", "--epochs", "2", "--out", "base"] + SMALL_DATA)
            if r.status != 0:
                raise RuntimeError("the baseline training run failed: " + r.brief())
            self._trained = os.path.join(self.work, "base")
        return self._trained

    def copy_run(self, name):
        target = os.path.join(self.work, name)
        shutil.copytree(self.trained(), target)
        return target

    def photo_folder(self, name, classes=("daisy", "roses"), per_class=6):
        root = self.folder(name)
        for c in classes:
            os.makedirs(os.path.join(root, c), exist_ok=True)
            source = os.path.join(self.photos, c)
            for f in sorted(os.listdir(source))[:per_class]:
                shutil.copy(os.path.join(source, f), os.path.join(root, c, f))
        return root


# --- the faults ---

FAULTS = []


def fault(name, expected):
    def register(function):
        FAULTS.append((name, expected, function))
        return function
    return register


def all_pass(results):
    """(ok, detail) for several runs judged by `check`: the first failure's detail."""
    for ok, detail in results:
        if not ok:
            return False, detail
    return True, ""


def clean(r, statuses=(1,), mentions=None):
    """Ended by itself, with one of `statuses`, saying `mentions`."""
    if r.timed_out or r.crashed or r.status not in statuses:
        return False, r.brief()
    if mentions and not re.search(mentions, r.text):
        return False, f"no '{mentions}' in: " + r.brief()
    return True, ""


@fault("overflow: dense 2147483647 x4", "summary/lint/stats/one-line/check: exit 1 'this model needs'")
def overflow_parameters(c):
    m = write(c.work, "p.convnet", "input 1x1x1; flatten; dense 2147483647\n" + "dense 2147483647\n" * 3)
    return all_pass(clean(c.run(args), mentions="this model needs") for args in
                    [["summary", m, "--format", "json"], ["lint", m], ["stats", m], [m], ["check", m]])


@fault("overflow: MACs of 46340x46340 convs", "summary: exit 1, no trap")
def overflow_macs(c):
    m = write(c.work, "macs.convnet", "input 46340x46340x1\n" + "conv 46340x46340x1\n" * 3 + "gap; dense 2 softmax\n")
    return clean(c.run(["summary", m]))


@fault("overflow: 1x1x2147483647 conv", "stats, --dump-ir --batch 1: exit 1, no trap")
def overflow_wide(c):
    m = write(c.work, "wide.convnet", "input 1x1x2147483647; conv 1x1x2147483647; gap; dense 2147483647\n")
    return all_pass(clean(c.run(args)) for args in [["stats", m], [m, "--dump-ir", "--batch", "1"]])


@fault("overflow: --batch 2^63-1", "--run/stats/--dump-ir/profile/--emit-swift: exit 1")
def overflow_batch(c):
    m = write(c.work, "tiny.convnet", TINY)
    huge = "9223372036854775807"
    return all_pass(clean(c.run(args)) for args in [
        [m, "--run", "--batch", huge, "--data", "synthetic:shapes:5:4", "--out", "hb"], ["stats", m, "--batch", huge],
        [m, "--dump-ir", "--batch", huge], ["profile", m, "--batch", huge],
        [m, "--emit-swift", os.path.join(c.work, "pkg"), "--batch", huge]])


@fault("overflow: lint --images 2^63-1", "exit 0 or 1, no trap")
def overflow_images(c):
    m = write(c.work, "tiny.convnet", TINY)
    return clean(c.run(["lint", m, "--images", "9223372036854775807"]), statuses=(0, 1))


@fault("overflow: checkpoint step 2^63-1 on --resume", "exit 1 naming the checkpoint, no trap")
def overflow_step(c):
    folder = c.copy_run("stepmax")
    edit_metadata(os.path.join(folder, "checkpoints", "epoch-002.safetensors"), step="9223372036854775807")
    return clean(c.run(["tiny.convnet", "--run", "--resume", "--epochs", "3", "--out", "stepmax"] + SMALL_DATA))


@fault("memory: --batch 1000000", "refused before allocating: exit 1 with the figure")
def memory_batch(c):
    write(c.work, "tiny.convnet", TINY)
    return clean(c.run(["tiny.convnet", "--run", "--batch", "1000000", "--data", "synthetic:shapes:5:4", "--target", "cpu",
                        "--out", "mb"]), mentions=r"memory|batch")


@fault("memory: synthetic:shapes:5:99999999999", "refused before decoding: exit 1")
def memory_dataset(c):
    write(c.work, "tiny.convnet", TINY)
    return clean(c.run(["tiny.convnet", "--run", "--data", "synthetic:shapes:5:99999999999", "--target", "cpu",
                        "--out", "md"]), mentions=r"memory|images")


@fault("memory: 2048x2048x3 conv 256 on cpu", "exit 1: needs N GiB, with a fix")
def memory_cpu(c):
    m = write(c.work, "big.convnet", "input 2048x2048x3; conv 3x3x256 relu; gap; dense 5 softmax\n")
    return clean(c.run([m, "--run", "--target", "cpu", "--data", "synthetic:shapes:5:4", "--out", "mc"]),
                 mentions="of memory is available")


@fault("memory: 2048x2048x3 conv 256 on tpu", "exit 1: needs N GiB, with a fix (never the OOM killer)")
def memory_tpu(c):
    m = write(c.work, "big.convnet", "input 2048x2048x3; conv 3x3x256 relu; gap; dense 5 softmax\n")
    return clean(c.run([m, "--run", "--target", "tpu", "--data", "synthetic:shapes:5:4", "--out", "mt"], timeout=120),
                 mentions="of memory is available")


@fault("input: check /dev/zero and a FIFO", "exit 1 at once: not a regular file")
def special_files(c):
    fifo = os.path.join(c.work, "pipe.convnet")
    os.mkfifo(fifo)
    return all_pass(clean(c.run(["check", path], timeout=10), mentions="regular file") for path in ["/dev/zero", fifo])


@fault("hang: 6,000 errors on one 72 KB line", "under 10 s and 1 MB of output")
def error_flood(c):
    m = write(c.work, "flood.convnet", "input 8x8x3\n" + "conv ?? " * 9000 + "\n")
    r = c.run(["check", m], timeout=60, keep=4096)
    if r.timed_out or r.crashed or r.seconds > 10 or r.out_bytes > 1 << 20:
        return False, f"{r.brief()}, {r.out_bytes:,} bytes of output"
    return True, ""


@fault("hang: train { nested 10,000 deep", "under 10 s: a nesting-depth error")
def deep_nesting(c):
    m = write(c.work, "deep.convnet", TINY + "train {" * 10000 + "\n")
    r = c.run(["check", m], timeout=60, keep=4096)
    if r.timed_out or r.crashed or r.seconds > 10 or r.status != 1:
        return False, r.brief()
    return True, ""


@fault("lost: a second run into the same folder", "the first run's weights and checkpoints kept")
def second_run(c):
    folder = c.copy_run("again")
    before = {f: sha(os.path.join(folder, f)) for f in ["model.safetensors", "checkpoints/epoch-001.safetensors"]}
    r = c.run(["tiny.convnet", "--run", "--epochs", "1", "--out", "again"] + SMALL_DATA)
    if r.crashed or r.timed_out:
        return False, r.brief()
    for f, digest in before.items():
        path = os.path.join(folder, f)
        if not os.path.exists(path) or sha(path) != digest:
            return False, f"{f} was replaced or deleted ({r.brief()})"
    return True, ""


@fault("mixed: two runs into one folder at once", "the second is refused, naming who holds it")
def concurrent_runs(c):
    write(c.work, "slow.convnet", "input 32x32x3; conv 3x3x16 relu; conv 3x3x16 relu; gap; dense 5 softmax\n")
    args = ["slow.convnet", "--run", "--epochs", "30", "--out", "both", "--data", "synthetic:shapes:5:100", "--batch", "8",
            "--target", "cpu"]
    first = subprocess.Popen([c.binary] + args, cwd=c.work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=limit_memory, env=environment())
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not os.path.exists(os.path.join(c.work, "both", "metrics.jsonl")) \
                and not os.path.exists(os.path.join(c.work, "both", "checkpoints")):
            time.sleep(0.2)
        time.sleep(1)
        if first.poll() is not None:
            return False, "the first run ended before the second started"
        second = c.run(args, timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    if second.status == 0 or second.crashed:
        return False, "the second run also trained: " + second.brief()
    return clean(second, mentions=r"another run|holds|held by|lock")


@fault("lost: checkpoint metadata contradicts its name", "--resume refused; epoch-001 untouched")
def contradicting_checkpoint(c):
    folder = c.copy_run("renamed")
    edit_metadata(os.path.join(folder, "checkpoints", "epoch-002.safetensors"), epoch="0")
    first = os.path.join(folder, "checkpoints", "epoch-001.safetensors")
    before = sha(first)
    r = c.run(["tiny.convnet", "--run", "--resume", "--epochs", "3", "--out", "renamed"] + SMALL_DATA)
    if sha(first) != before:
        return False, "epoch-001.safetensors was overwritten (" + r.brief() + ")"
    return clean(r)


@fault("lost: SIGTERM during a run", "summary.json says interrupted, not running")
def sigterm(c):
    write(c.work, "slow.convnet", "input 32x32x3; conv 3x3x16 relu; conv 3x3x16 relu; gap; dense 5 softmax\n")
    folder = os.path.join(c.work, "term")
    p = subprocess.Popen([c.binary, "slow.convnet", "--run", "--epochs", "50", "--out", "term", "--data",
                          "synthetic:shapes:5:100", "--batch", "8", "--target", "cpu"], cwd=c.work,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=limit_memory, env=environment())
    deadline = time.time() + 30
    while time.time() < deadline and not os.path.exists(os.path.join(folder, "summary.json")):
        time.sleep(0.2)
    time.sleep(1)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return False, "still running 30 s after SIGTERM"
    try:
        with open(os.path.join(folder, "summary.json")) as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        return False, f"no readable summary.json ({e})"
    reason = summary.get("stop_reason", summary.get("status"))
    return (reason == "interrupted", f"stop_reason {reason!r}, exit {p.returncode}")


@fault("silent: bad images dropped", "the truncated, empty and non-image files are named")
def bad_images(c):
    root = c.photo_folder("bad")
    source = os.path.join(root, "daisy", sorted(os.listdir(os.path.join(root, "daisy")))[0])
    with open(source, "rb") as f:
        head = f.read(600)
    with open(os.path.join(root, "daisy", "truncated.jpg"), "wb") as f:
        f.write(head)
    open(os.path.join(root, "daisy", "empty.jpg"), "wb").close()
    write(os.path.join(root, "roses"), "notes.jpg", "not an image\n")
    m = write(c.work, "photo.convnet", "input 32x32x3; conv 3x3x4 relu; gap; dense 2 softmax\n")
    r = c.run([m, "--run", "--epochs", "1", "--batch", "2", "--target", "cpu", "--data", root, "--out", "badrun"])
    missing = [n for n in ["truncated.jpg", "empty.jpg", "notes.jpg"] if n not in r.text]
    if r.crashed or r.timed_out or missing:
        return False, f"not named: {', '.join(missing)} ({r.brief()})"
    return True, ""


@fault("silent: 16-bit PNG decodes differently", "its 8-bit twin's probabilities, exactly")
def png16(c):
    weights = os.path.join(c.trained(), "model.safetensors")
    rows = [[(x * 37 + y * 11 + ch * 90) % 256 for x in range(16) for ch in range(3)] for y in range(16)]
    png(os.path.join(c.work, "eight.png"), 16, 16, rows, 8)
    png(os.path.join(c.work, "sixteen.png"), 16, 16, [[v * 257 for v in row] for row in rows], 16)
    r = c.run(["predict", "--weights", weights, "tiny.convnet", "--format", "json", "eight.png", "sixteen.png"])
    if r.status != 0 or r.crashed:
        return False, r.brief()
    try:
        p = [x["probabilities"] for x in json.loads(r.out)["predictions"]]
    except (ValueError, KeyError, TypeError) as e:
        return False, f"stdout is not the predictions JSON ({e})"
    return (p[0] == p[1], f"8-bit {p[0][:2]}... 16-bit {p[1][:2]}...")


@fault("silent: directory symlink loops", "no photo counted twice, no class from a link")
def symlink_loop(c):
    root = c.photo_folder("loop")
    os.symlink("..", os.path.join(root, "daisy", "up-loop"))
    os.symlink(".", os.path.join(root, "zzz"))
    m = write(c.work, "photo.convnet", "input 32x32x3; conv 3x3x4 relu; gap; dense 2 softmax\n")
    r = c.run([m, "--run", "--epochs", "1", "--batch", "2", "--target", "cpu", "--data", root, "--out", "looprun"])
    found = re.search(r"Training on (\d+) images, validating on (\d+) \((\d+) classes\)", r.text)
    if not found:
        return False, r.brief()
    images, classes = int(found.group(1)) + int(found.group(2)), int(found.group(3))
    return (images == 12 and classes == 2, f"{images} images in {classes} classes (12 in 2 on disk)")


@fault("silent: NaN weights load", "predict refuses, naming the tensor")
def nan_weights(c):
    weights = os.path.join(c.work, "nan.safetensors")
    shutil.copy(os.path.join(c.trained(), "model.safetensors"), weights)
    set_first_value(weights, "dense/bias", struct.pack("<f", float("nan")))
    r = c.run(["predict", "--weights", weights, "tiny.convnet", "--format", "json",
               os.path.join(ROOT, "Tests/ConvnetDriverTests/Fixtures/keras_weights/image0.png")])
    return clean(r, mentions="dense/bias")


@fault("silent: a head without softmax", "predict prints probabilities (>= 0, summing to 1)")
def logits_head(c):
    write(c.work, "logits.convnet", "input 16x16x3; conv 3x3x4 relu; gap; dense 5\n")
    t = c.run(["logits.convnet", "--run", "--epochs", "1", "--out", "logits"] + SMALL_DATA)
    if t.status != 0:
        return False, "training: " + t.brief()
    r = c.run(["predict", "--weights", "logits/model.safetensors", "logits.convnet", "--format", "json",
               os.path.join(ROOT, "Tests/ConvnetDriverTests/Fixtures/keras_weights/image0.png")])
    try:
        p = json.loads(r.out)["predictions"][0]["probabilities"]
    except (ValueError, KeyError, TypeError, IndexError) as e:
        return False, f"no predictions JSON ({e}; {r.brief()})"
    return (min(p) >= 0 and abs(sum(p) - 1) < 1e-4, f"probabilities {p}")


@fault("silent: --format json stdout", "evaluate's stdout is one JSON document")
def json_stdout(c):
    weights = os.path.join(c.trained(), "model.safetensors")
    r = c.run(["evaluate", "--weights", weights, "tiny.convnet", "--format", "json", "--data", "synthetic:shapes:5:40"])
    try:
        json.loads(r.out)
        return clean(r, statuses=(0,))
    except ValueError:
        return False, ("stdout: " + r.out.strip().splitlines()[0][:80]) if r.out.strip() else "empty stdout"


@fault("small: --lr 0x10", "a usage error (not 16)")
def hex_rate(c):
    write(c.work, "tiny.convnet", TINY)
    return clean(c.run(["tiny.convnet", "--run", "--lr", "0x10", "--epochs", "1", "--out", "hex"] + SMALL_DATA), statuses=(2,))


@fault("small: --out ''", "a usage error (not the current folder)")
def empty_out(c):
    write(c.work, "tiny.convnet", TINY)
    return clean(c.run(["tiny.convnet", "--run", "--out", "", "--epochs", "1"] + SMALL_DATA), statuses=(1, 2))


@fault("small: evaluate --resume", "a usage error (not ignored)")
def evaluate_resume(c):
    weights = os.path.join(c.trained(), "model.safetensors")
    return clean(c.run(["evaluate", "--weights", weights, "tiny.convnet", "--resume", "--data", "synthetic:shapes:5:40"]),
                 statuses=(2,))


@fault("small: training flags without --run", "a usage error (not 'ok')")
def flags_without_run(c):
    write(c.work, "tiny.convnet", TINY)
    return clean(c.run(["tiny.convnet", "--epochs", "2"]), statuses=(2,))


@fault("small: escape sequences in class names", "printed escaped, no raw ESC reaches the terminal")
def escaped_classes(c):
    weights = os.path.join(c.work, "esc.safetensors")
    shutil.copy(os.path.join(c.trained(), "model.safetensors"), weights)
    edit_metadata(weights, class_names=json.dumps(["\x1b[31mred", "\x1b]0;title\x07b", "c", "d", "e"]))
    r = c.run(["predict", "--weights", weights, "tiny.convnet",
               os.path.join(ROOT, "Tests/ConvnetDriverTests/Fixtures/keras_weights/image0.png")])
    if r.crashed or r.timed_out:
        return False, r.brief()
    return ("\x1b" not in r.text and "\x07" not in r.text, r.brief())


@fault("small: progress bar on an 80-column terminal", "every line fits in 80 columns")
def progress_width(c):
    write(c.work, "tiny.convnet", TINY)
    if not shutil.which("script"):
        return None, "needs script(1) for a terminal"
    command = " ".join([c.binary, "tiny.convnet", "--run", "--epochs", "2", "--out", "width"] + SMALL_DATA)
    start = time.time()
    p = subprocess.run(["script", "-qec", f"stty cols 80 rows 24; {command}", "/dev/null"], cwd=c.work,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limit_memory, env=environment(),
                       timeout=TIMEOUT)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", p.stdout.decode("utf-8", "replace")).replace("\r\n", "\n")
    # The redrawn states of the bar: every piece a carriage return ends (a line that ends in a
    # newline is printed once, and may wrap once).
    redrawn = [piece for line in text.split("\n") for piece in line.split("\r")[:-1]]
    widest = max((len(piece) for piece in redrawn), default=0)
    if p.returncode != 0:
        return False, f"exit {p.returncode} in {time.time() - start:.1f} s"
    if not redrawn:
        return False, "no progress bar drawn on the terminal"
    return (widest <= 80, f"{len(redrawn)} redraws, the widest {widest} columns")


@fault("small: native binary --help / no arguments", "prints its usage; never trains")
def native_help(c):
    return None, "not run here: needs a native build (NativeEndToEndTests covers it)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--only", nargs="*", help="substrings of fault names to run")
    parser.add_argument("--photos", default=os.path.join(ROOT, "..", "shared", "datasets", "flowers"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)
    work = tempfile.mkdtemp(prefix="convnetc-faults-")
    c = Context(binary, work, options.photos)
    tally = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    print(f"convnetc: {binary}\nlimits: ulimit -v {MEMORY_LIMIT_KB}, timeout {TIMEOUT} s per command\n")
    try:
        for name, expected, function in FAULTS:
            if options.only and not any(o in name for o in options.only):
                continue
            try:
                ok, detail = function(c)
            except Exception as e:  # a broken fixture is this fault's failure, not the script's
                ok, detail = False, f"{type(e).__name__}: {e}"
            verdict = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
            tally[verdict] += 1
            print(f"{verdict}  {name:<46} {expected}" + (f"\n      seen: {detail}" if verdict != "PASS" and detail else ""),
                  flush=True)
    finally:
        if options.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{tally['PASS']} PASS, {tally['FAIL']} FAIL, {tally['SKIP']} SKIP")
    return 0 if tally["FAIL"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
