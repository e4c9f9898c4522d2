// swift-tools-version:6.0
// convnetc: a compiler for a small language of convolutional image classifiers.
// The targets follow the pipeline: Syntax -> Sema -> IR -> Optimizer -> backends -> Driver -> CLI.
import PackageDescription

/// Release builds run on the machine that built them (`make`), so they may use its vector units.
let nativeCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))]

/// The runtime a native binary links (the `ConvnetRuntime` product): kernels, data, the training
/// loop, checkpoints and the binary's `main`, with no part of the front end, IR builder or
/// optimizer. The one list of its modules: `make build` builds this product, `--emit-swift` and
/// the native build workspace depend on it, and `PrebuiltRuntime` links the library it makes.
let runtimeModules = ["ConvnetNativeRuntime", "ConvnetFlags", "ConvnetTraining", "ConvnetData", "ConvnetKernels",
                      "ConvnetInterface", "ConvnetSupport"]

let package = Package(
    name: "convnetc",
    products: [
        .executable(name: "convnetc", targets: ["convnetc"]),
        .library(name: "ConvnetKernels", targets: ["ConvnetKernels"]),
        .library(name: "ConvnetCodegen", targets: ["ConvnetCodegen"]),
        // What a native binary links: prebuilt beside a release convnetc (`PrebuiltRuntime`), or
        // built from this package by an emitted one (`--emit-swift`, the native build workspace).
        .library(name: "ConvnetRuntime", type: .dynamic, targets: runtimeModules),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, each reached through a shim header.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),

        // Ordered JSON and number formatting shared by every stage's output.
        .target(name: "ConvnetSupport"),
        // Front end: text -> tokens -> AST (+ diagnostics). The train block's values are
        // ConvnetInterface's settings, built by the parser (the runtime never links this module).
        .target(name: "ConvnetSyntax", dependencies: ["ConvnetInterface"]),
        // Shapes, parameter and MAC counts, summary tables, lint rules.
        .target(name: "ConvnetSema", dependencies: ["ConvnetSyntax", "ConvnetSupport", "ConvnetInterface"]),
        // The contract between compiler and runtime: the model description, compiled programs.
        .target(name: "ConvnetInterface"),
        // The typed graph IR, autodiff, verifier, printer, reference interpreter.
        .target(name: "ConvnetIR", dependencies: ["ConvnetSyntax", "ConvnetSema", "ConvnetInterface", "ConvnetKernels"]),
        // IR -> IR passes, tile plans, buffer assignment.
        .target(name: "ConvnetOptimizer",
                dependencies: ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetSupport", "ConvnetKernels"]),
        // fp32 kernels on OpenBLAS, each with a naive twin.
        .target(name: "ConvnetKernels", dependencies: ["CBLAS", "ConvnetInterface"], swiftSettings: nativeCPU),
        // Image folders, decoding, split, shuffle, batches, synthetic data.
        .target(name: "ConvnetData", dependencies: ["CJPEG", "CPNG", "ConvnetSupport"], swiftSettings: nativeCPU),
        // The fp32 CPU backend: executes optimized IR on the kernels.
        .target(name: "ConvnetCPU", dependencies: ["ConvnetSyntax", "ConvnetIR", "ConvnetOptimizer", "ConvnetKernels", "ConvnetSupport"],
                swiftSettings: nativeCPU),
        // bf16 MXU, systolic simulation, cycle model, multi-core.
        .target(name: "TPUEmulator",
                dependencies: ["ConvnetSupport", "ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetOptimizer", "ConvnetKernels",
                               "ConvnetCPU"],
                swiftSettings: nativeCPU),
        // Training loop, checkpoints (safetensors), metrics, progress, plots.
        .target(name: "ConvnetTraining",
                dependencies: ["ConvnetInterface", "ConvnetData", "ConvnetSupport", "CHDF5"],
                swiftSettings: nativeCPU),
        // The training flags, one set of ArgumentParser types for convnetc and native binaries.
        .target(name: "ConvnetFlags",
                dependencies: ["ConvnetTraining", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The native target: readable Swift for the optimized program, built against the runtime.
        .target(name: "ConvnetCodegen",
                dependencies: ["ConvnetOptimizer", "ConvnetKernels", "ConvnetTraining",
                               "ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetNativeRuntime", "ConvnetFlags"]),
        // What a generated binary links besides the kernels: its `main`, arena and commands.
        .target(name: "ConvnetNativeRuntime",
                dependencies: ["ConvnetInterface", "ConvnetKernels", "ConvnetTraining", "ConvnetFlags", "ConvnetSupport",
                               .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Runs the stages for the CLI and the tests.
        .target(name: "ConvnetDriver",
                dependencies: ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetOptimizer", "ConvnetData",
                               "ConvnetTraining", "ConvnetCPU", "TPUEmulator", "ConvnetCodegen", "ConvnetInterface"]),
        .executableTarget(name: "convnetc", dependencies: [
            "ConvnetDriver", "ConvnetKernels", "ConvnetOptimizer", "ConvnetIR", "ConvnetSema", "ConvnetTraining", "TPUEmulator",
            "ConvnetFlags", "ConvnetInterface", "ConvnetData", "ConvnetSupport", "ConvnetSyntax", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The fuzz targets (`make fuzz` runs them under libFuzzer; ConvnetFuzzTests replays their
        // committed seeds and every input that ever crashed).
        .target(name: "ConvnetFuzzTargets",
                dependencies: ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetTraining", "ConvnetData", "ConvnetSupport",
                               "TPUEmulator"]),
        .executableTarget(name: "convnetc-fuzz", dependencies: ["ConvnetFuzzTargets", "ConvnetTraining"]),
        // The HDF5 reader process for programs that cannot re-run themselves as one (the tests).
        .executableTarget(name: "convnetc-hdf5-reader", dependencies: ["ConvnetTraining"]),

        // `make bench`: the figures quoted in the README, measured in one process.
        .executableTarget(name: "convnetc-bench",
                          dependencies: ["ConvnetDriver", "ConvnetKernels", "ConvnetCPU", "ConvnetIR",
                                         "ConvnetOptimizer", "ConvnetSema", "ConvnetSyntax", "ConvnetSupport",
                                         "ConvnetTraining", "ConvnetCodegen", "ConvnetData", "ConvnetInterface"],
                          swiftSettings: nativeCPU),

        // Helpers several test targets share (test targets cannot import each other).
        .target(name: "ConvnetTestSupport", dependencies: ["ConvnetSema", "ConvnetSyntax"],
                path: "Tests/ConvnetTestSupport"),

        .testTarget(name: "ConvnetSupportTests", dependencies: ["ConvnetSupport"]),
        .testTarget(name: "ConvnetFuzzTests", dependencies: ["ConvnetTestSupport", "ConvnetFuzzTargets"]),
        .testTarget(name: "ConvnetSyntaxTests", dependencies: ["ConvnetTestSupport", "ConvnetSyntax", "ConvnetInterface"], exclude: ["Golden"]),
        .testTarget(name: "ConvnetSemaTests", dependencies: ["ConvnetTestSupport", "ConvnetSema", "ConvnetSyntax", "ConvnetSupport", "ConvnetInterface"]),
        .testTarget(name: "ConvnetIRTests", dependencies: ["ConvnetTestSupport", "ConvnetIR", "ConvnetSema", "ConvnetSyntax"]),
        .testTarget(name: "ConvnetOptimizerTests",
                    dependencies: ["ConvnetTestSupport", "ConvnetOptimizer", "ConvnetIR", "ConvnetSema", "ConvnetSyntax", "ConvnetSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "ConvnetKernelsTests", dependencies: ["ConvnetKernels"]),
        .testTarget(name: "ConvnetDataTests", dependencies: ["ConvnetData"], exclude: ["Fixtures"]),
        .testTarget(name: "ConvnetCPUTests",
                    dependencies: ["ConvnetTestSupport", "ConvnetCPU", "ConvnetIR", "ConvnetKernels", "ConvnetOptimizer", "ConvnetSema",
                                   "ConvnetSyntax"]),
        .testTarget(name: "TPUEmulatorTests", dependencies: ["TPUEmulator", "ConvnetKernels", "ConvnetIR", "ConvnetSema", "ConvnetSyntax", "ConvnetSupport",
                                                           "ConvnetCPU", "ConvnetTraining", "ConvnetOptimizer"]),
        .testTarget(name: "ConvnetTrainingTests",
                    dependencies: ["ConvnetTraining", "ConvnetSupport", "ConvnetData", "ConvnetIR", "ConvnetSema", "ConvnetSyntax", "ConvnetInterface"]),
        .testTarget(name: "ConvnetCodegenTests",
                    dependencies: ["ConvnetCodegen", "ConvnetNativeRuntime", "ConvnetCPU", "ConvnetTraining", "ConvnetSyntax",
                                   "ConvnetSema", "ConvnetIR", "ConvnetOptimizer", "ConvnetFlags", "ConvnetSupport", "ConvnetInterface"],
                    exclude: ["Golden"]),
        .testTarget(name: "ConvnetDriverTests",
                    dependencies: ["ConvnetTestSupport", "ConvnetDriver", "ConvnetIR", "ConvnetSema", "ConvnetSyntax", "ConvnetCPU",
                                   "ConvnetTraining", "ConvnetInterface"],
                    exclude: ["Golden", "Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
