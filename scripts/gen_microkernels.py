#!/usr/bin/env python3
"""Writes Sources/ConvnetKernels/Direct/MicroKernels.swift: the register-blocked AVX-512
multiply-accumulate kernels behind DirectConv.

Why generated: each kernel keeps R x V accumulators of 16 floats in named registers, and Swift
has no way to spell "R x V locals" generically that LLVM reliably keeps in registers
(InlineArray-based versions spilled and ran 2-3x slower in our measurements). The generator is
the single source; rerun it after editing: `make generate` (or `python3 scripts/gen_microkernels.py`).
`--stdout` prints the file instead of writing it (the staleness test compares that with the
committed file).
"""
import os
import sys

# (V vectors of 16 outputs) -> the R values (rows of broadcast operands) generated for it.
# R * V accumulators + V loaded vectors + R broadcasts must fit the 32 zmm registers.
SHAPES = {1: list(range(1, 15)), 2: list(range(1, 13)), 3: list(range(1, 9)), 4: list(range(1, 7))}

def load_block(r, v):
    """The R x V accumulators, loaded from `out` when the call accumulates, else zero."""
    return [f"        var c{i}_{j} = p.accumulate ? load(p.out + {i} * p.outStride + {j * 16}) : .zero"
            for i in range(r) for j in range(v)]

def store_block(r, v):
    """The R x V accumulators stored back to `out`."""
    return [f"        store(c{i}_{j}, p.out + {i} * p.outStride + {j * 16})" for i in range(r) for j in range(v)]

def kernel(r, v):
    L = []
    L.append(f"    /// {r} x {v * 16} accumulators.")
    L.append(f"    @inline(never)")
    L.append(f"    static func r{r}v{v}(_ p: MicroKernelCall) {{")
    L += load_block(r, v)
    L.append("        var outerA = p.a, outerB = p.b")
    L.append("        for _ in 0..<p.outerCount {")
    L.append("            var innerA = outerA, innerB = outerB")
    L.append("            for _ in 0..<p.innerCount {")
    L.append("                var a = innerA, b = innerB")
    L.append("                for _ in 0..<p.length {")
    for j in range(v):
        L.append(f"                    let b{j} = load(b + {j * 16})")
    for i in range(r):
        off = "0" if i == 0 else f"{i} * p.aRow"
        L.append(f"                    do {{ let x = SIMD16<Float>(repeating: a[{off}])")
        for j in range(v):
            L.append(f"                        c{i}_{j} = c{i}_{j}.addingProduct(x, b{j})")
        L.append("                    }")
    L.append("                    a += p.aStep; b += p.bStep")
    L.append("                }")
    L.append("                innerA += p.aInner; innerB += p.bInner")
    L.append("            }")
    L.append("            outerA += p.aOuter; outerB += p.bOuter")
    L.append("        }")
    L += store_block(r, v)
    L.append("    }")
    return "\n".join(L)

# Sliding kernels for three-tap rows, (V vectors) -> R values. R*V accumulators + 3V weight
# vectors + a broadcast must fit the 32 zmm registers.
SLIDING = {1: list(range(1, 15)), 2: list(range(1, 13))}

def sliding_steps(r, v, target):
    """The loop over `length` of a sliding kernel: the three taps' weight vectors loaded, then
    input pixel px (of R + 2) broadcast once into `target(t, i, j)` for every tap t whose output
    i = px - t is in the block. The caller declares `a`, `b` and `tap`."""
    L = ["            for _ in 0..<p.length {"]
    for t in range(3):
        for j in range(v):
            off = " + ".join(x for x in ([f"{t} * tap"] if t else []) + ([str(j * 16)] if j else [])) or "0"
            L.append(f"                let w{t}_{j} = load(b + {off})")
    for px in range(r + 2):
        off = "0" if px == 0 else f"{px} * p.aRow"
        L.append(f"                do {{ let x = SIMD16<Float>(repeating: a[{off}])")
        for t in range(max(0, px - r + 1), min(2, px) + 1):
            i = px - t
            for j in range(v):
                name = target(t, i, j)
                L.append(f"                    {name} = {name}.addingProduct(x, w{t}_{j})")
        L.append("                }")
    L.append("                a += p.aStep; b += p.bStep")
    L.append("            }")
    return L

def sliding(r, v):
    """A window row of three taps (a convolution's kernel columns): input pixel j (of R + 2)
    is broadcast once and multiplies the weights of every tap t with j - t in 0..<R, so one
    broadcast feeds up to three outputs instead of one. The call's innerCount must be 3 and its
    aInner its aRow (the taps are adjacent pixels)."""
    L = []
    L.append(f"    /// {r} x {v * 16} accumulators, three taps sliding.")
    L.append(f"    @inline(never)")
    L.append(f"    static func s{r}v{v}(_ p: MicroKernelCall) {{")
    L += load_block(r, v)
    L.append("        var outerA = p.a, outerB = p.b")
    L.append("        let tap = p.bInner")
    L.append("        for _ in 0..<p.outerCount {")
    L.append("            var a = outerA, b = outerB")
    L += sliding_steps(r, v, lambda t, i, j: f"c{i}_{j}")
    L.append("            outerA += p.aOuter; outerB += p.bOuter")
    L.append("        }")
    L += store_block(r, v)
    L.append("    }")
    return "\n".join(L)

# Tap-chained sliding kernels, (V vectors) -> R values. 3*R*V chains + 3V weight vectors + a
# broadcast must fit the 32 zmm registers.
CHAINED = {1: list(range(1, 10)), 2: list(range(1, 5))}

def chained(r, v):
    """The bfloat16 (MXU) input gradient's sliding kernel: as `sliding`, one broadcast per input
    pixel for the three taps of a window row, but each tap's products over the call's length
    form their own chain from zero, and after each window row the chains are added to the
    accumulators in `out` in tap order (col2im's order). The first row starts from zero unless
    the call accumulates."""
    L = []
    L.append(f"    /// {r} x {v * 16} outputs, three taps sliding, one chain per tap.")
    L.append(f"    @inline(never)")
    L.append(f"    static func c{r}v{v}(_ p: MicroKernelCall) {{")
    L.append("        var outerA = p.a, outerB = p.b")
    L.append("        let tap = p.bInner")
    L.append("        var fresh = !p.accumulate")
    L.append("        for _ in 0..<p.outerCount {")
    for t in range(3):
        for i in range(r):
            for j in range(v):
                L.append(f"            var t{t}_{i}_{j} = SIMD16<Float>.zero")
    L.append("            var a = outerA, b = outerB")
    L += sliding_steps(r, v, lambda t, i, j: f"t{t}_{i}_{j}")
    for i in range(r):
        for j in range(v):
            at = f"p.out + {i} * p.outStride + {j * 16}"
            L.append(f"            store(((fresh ? .zero : load({at})) + t0_{i}_{j} + t1_{i}_{j}) + t2_{i}_{j}, {at})")
    L.append("            fresh = false")
    L.append("            outerA += p.aOuter; outerB += p.bOuter")
    L.append("        }")
    L.append("    }")
    return "\n".join(L)

# Filter-gradient sliding kernels, (V vectors) -> R values (input channels). 3*R*V accumulators
# + 3V loaded dY vectors + a broadcast must fit the 32 zmm registers.
FILTER_SLIDING = {1: list(range(1, 9)), 2: list(range(1, 5))}

def tap_offset(t, i, j):
    """Where accumulator (tap t, channel i, vector j) of a filter-sliding kernel lives in `out`."""
    return " + ".join(([f"{t} * p.outTap"] if t else []) + ([f"{i} * p.outStride"] if i else [])
                      + ([str(j * 16)] if j else [])) or "0"

def filter_sliding(r, v):
    """The filter gradient of a three-tap window row: input pixel q's R channels are each
    broadcast once and multiply dY at pixels q, q-1, q-2 (taps 0, 1, 2), so one broadcast feeds
    three taps' accumulators. The call's `a` is the input at tap 0 of output pixel 0 (channels
    adjacent: aRow 1, aStep the pixel stride), `b` dY at
    output pixel 0, `length` the output pixels (at least 2), `outTap` the distance in `out`
    between one tap's accumulators and the next's; always accumulates."""
    L = []
    L.append(f"    /// 3 taps x {r} channels x {v * 16} filters of accumulators, sliding over pixels.")
    L.append(f"    @inline(never)")
    L.append(f"    static func f{r}v{v}(_ p: MicroKernelCall) {{")
    for t in range(3):
        for i in range(r):
            for j in range(v):
                off = tap_offset(t, i, j)
                L.append(f"        var c{t}_{i}_{j} = load(p.out + {off})")
    L.append("        var outerA = p.a, outerB = p.b")
    L.append("        for _ in 0..<p.outerCount {")
    def step(indent, q, taps):
        pad = " " * indent
        out = []
        for t in taps:
            for j in range(v):
                dq = f"{q} - {t}" if t else q
                out.append(f"{pad}let d{t}_{j} = load(b + ({dq}) * p.bStep{f' + {j * 16}' if j else ''})")
        for i in range(r):
            out.append(f"{pad}do {{ let x = SIMD16<Float>(repeating: a[{q} * p.aStep{f' + {i}' if i else ''}])")
            for t in taps:
                for j in range(v):
                    out.append(f"{pad}    c{t}_{i}_{j} = c{t}_{i}_{j}.addingProduct(x, d{t}_{j})")
            out.append(f"{pad}}}")
        return out
    L.append("            let a = outerA, b = outerB, n = p.length")
    L.append("            do {")
    L += step(16, "0", [0])
    L.append("            }")
    L.append("            do {")
    L += step(16, "1", [0, 1])
    L.append("            }")
    L.append("            for q in 2..<n {")
    L += step(16, "q", [0, 1, 2])
    L.append("            }")
    L.append("            do {")
    L += step(16, "n", [1, 2])
    L.append("            }")
    L.append("            do {")
    L += step(16, "(n + 1)", [2])
    L.append("            }")
    L.append("            outerA += p.aOuter; outerB += p.bOuter")
    L.append("        }")
    for t in range(3):
        for i in range(r):
            for j in range(v):
                off = tap_offset(t, i, j)
                L.append(f"        store(c{t}_{i}_{j}, p.out + {off})")
    L.append("    }")
    return "\n".join(L)

def main():
    out = []
    out.append("// GENERATED by scripts/gen_microkernels.py; do not edit by hand.")
    out.append("")
    out.append("/// The register-blocked kernels of `DirectConv`, one per (R, V) shape; see `MicroKernelCall`.")
    out.append("enum MicroKernels {")
    out.append("    /// The largest R of any kernel: the rows of accumulators a caller's block must hold.")
    out.append(f"    static let largestRows = {max(max(r) for r in SHAPES.values())}")
    out.append("")
    def rows_switch(doc, name, shapes, default):
        """`static func NAME(vectors:) -> Int`: the largest R generated per V."""
        out.append(f"    /// {doc}")
        out.append(f"    static func {name}(vectors v: Int) -> Int {{")
        out.append("        switch v {")
        for v, rs in shapes.items():
            out.append(f"        case {v}: return {max(rs)}")
        out.append(f"        default: {default}")
        out.append("        }")
        out.append("    }")
        out.append("")

    def run_switch(doc, name, shapes, prefix, what, precondition=None):
        """`static func NAME(rows:vectors:_:)`: calls the PREFIX{r}v{v} kernel."""
        out.extend(f"    /// {line}" for line in doc)
        out.append(f"    static func {name}(rows r: Int, vectors v: Int, _ p: MicroKernelCall) {{")
        if precondition:
            out.append(f"        {precondition}")
        out.append("        switch (r, v) {")
        for v, rs in shapes.items():
            for r in rs:
                out.append(f"        case ({r}, {v}): {prefix}{r}v{v}(p)")
        out.append(f"        default: preconditionFailure(\"no {what}micro-kernel \\(r)x\\(v)\")")
        out.append("        }")
        out.append("    }")
        out.append("")

    rows_switch("The largest R generated for V vectors.", "maxRows", SHAPES,
                "preconditionFailure(\"no micro-kernel for \\(v) vectors\")")
    run_switch(["Runs the (rows, vectors) kernel; both must be a generated shape."], "run", SHAPES, "r", "")
    out.append("    /// Whether a sliding three-tap kernel exists for V vectors (then for every R up to maxRows).")
    out.append("    static func slides(vectors v: Int) -> Bool {")
    out.append(f"        {' || '.join(f'v == {v}' for v in SLIDING)}")
    out.append("    }")
    out.append("")
    run_switch(["Runs the sliding (rows, vectors) kernel: the sum of `run` with innerCount 3 and",
                "aInner == aRow, each broadcast shared by the taps (see `s1v1`). Sums in (k, tap) order."],
               "runSliding", SLIDING, "s", "sliding ")
    rows_switch("The largest R of the tap-chained sliding kernels for V vectors, 0 when none.", "chainedRows",
                CHAINED, "return 0")
    run_switch(["Runs the tap-chained sliding (rows, vectors) kernel (see `c1v1`)."], "runChained", CHAINED, "c",
               "tap-chained ")
    rows_switch("The largest R of the filter-gradient sliding kernels for V vectors, 0 when none.", "filterSlidingRows",
                FILTER_SLIDING, "return 0")
    run_switch(["Runs the filter-gradient sliding (rows, vectors) kernel (see `f1v1`)."], "runFilterSliding",
               FILTER_SLIDING, "f", "filter sliding ",
               precondition='precondition(p.length >= 2, "the sliding filter kernels need two pixels")')
    out.append("    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {")
    out.append("        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)")
    out.append("    }")
    out.append("    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {")
    out.append("        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)")
    out.append("    }")
    out.append("    @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {")
    out.append("        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)")
    out.append("    }")
    for v, rs in SHAPES.items():
        for r in rs:
            out.append("")
            out.append(kernel(r, v))
    for v, rs in SLIDING.items():
        for r in rs:
            out.append("")
            out.append(sliding(r, v))
    for v, rs in FILTER_SLIDING.items():
        for r in rs:
            out.append("")
            out.append(filter_sliding(r, v))
    for v, rs in CHAINED.items():
        for r in rs:
            out.append("")
            out.append(chained(r, v))
    out.append("}")
    text = "\n".join(out) + "\n"
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
        return
    path = os.path.join(os.path.dirname(__file__), "..", "Sources", "ConvnetKernels", "Direct", "MicroKernels.swift")
    with open(path, "w") as f:
        f.write(text)

main()
