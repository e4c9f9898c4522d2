// swift-tools-version:6.0
// convnetc: a compiler for a small language of convolutional image classifiers.
// The targets follow the pipeline: Syntax -> Sema -> IR -> Optimizer -> backends -> Driver -> CLI.
import PackageDescription

/// Release builds run on the machine that built them (`make`), so they may use its vector units.
let nativeCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))]

let package = Package(
    name: "convnetc",
    products: [
        .executable(name: "convnetc", targets: ["convnetc"]),
        .library(name: "ConvnetKernels", targets: ["ConvnetKernels"]),
        .library(name: "ConvnetCodegen", targets: ["ConvnetCodegen"]),
        // What a native binary links when convnetc's release build is beside it (`PrebuiltRuntime`):
        // the modules emitted code imports, with everything they use.
        .library(name: "ConvnetRuntime", type: .dynamic,
                 targets: ["ConvnetNativeRuntime", "ConvnetCPU", "ConvnetKernels", "ConvnetIR"]),
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

        // Ordered JSON and number formatting shared by every stage's output.
        .target(name: "ConvnetSupport"),
        // Front end: text -> tokens -> AST (+ diagnostics).
        .target(name: "ConvnetSyntax", dependencies: ["ConvnetSupport"]),
        // Shapes, parameter and MAC counts, summary tables, lint rules.
        .target(name: "ConvnetSema", dependencies: ["ConvnetSyntax", "ConvnetSupport"]),
        // The typed graph IR, autodiff, verifier, printer, reference interpreter.
        .target(name: "ConvnetIR", dependencies: ["ConvnetSema"]),
        // IR -> IR passes, tile plans, buffer assignment.
        .target(name: "ConvnetOptimizer", dependencies: ["ConvnetIR", "ConvnetSupport"]),
        // fp32 kernels on OpenBLAS, each with a naive twin.
        .target(name: "ConvnetKernels", dependencies: ["CBLAS"], swiftSettings: nativeCPU),
        // Image folders, decoding, split, shuffle, batches, synthetic data.
        .target(name: "ConvnetData", dependencies: ["CJPEG", "CPNG", "ConvnetSupport"], swiftSettings: nativeCPU),
        // The fp32 CPU backend: executes optimized IR on the kernels.
        .target(name: "ConvnetCPU", dependencies: ["ConvnetOptimizer", "ConvnetKernels", "ConvnetSupport"],
                swiftSettings: nativeCPU),
        // bf16 MXU, systolic simulation, cycle model, multi-core.
        .target(name: "TPUEmulator", dependencies: ["ConvnetOptimizer", "ConvnetKernels", "ConvnetCPU"],
                swiftSettings: nativeCPU),
        // Training loop, checkpoints (safetensors), metrics, progress, plots.
        .target(name: "ConvnetTraining",
                dependencies: ["ConvnetOptimizer", "ConvnetKernels", "ConvnetData", "ConvnetSupport"],
                swiftSettings: nativeCPU),
        // The native target: readable Swift for the optimized program, built and run with SwiftPM.
        // It is also the runtime the generated program links (argument decoding, `main`).
        .target(name: "ConvnetCodegen",
                dependencies: ["ConvnetOptimizer", "ConvnetSupport", "ConvnetKernels", "ConvnetTraining",
                               "ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetNativeRuntime"]),
        // What a generated binary links besides the kernels: its `main`, arena and commands.
        .target(name: "ConvnetNativeRuntime",
                dependencies: ["ConvnetIR", "ConvnetKernels", "ConvnetSema", "ConvnetSyntax", "ConvnetTraining"]),
        // Runs the stages for the CLI and the tests.
        .target(name: "ConvnetDriver",
                dependencies: ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetOptimizer",
                               "ConvnetTraining", "ConvnetCPU", "TPUEmulator", "ConvnetSupport", "ConvnetCodegen"]),
        .executableTarget(name: "convnetc", dependencies: [
            "ConvnetDriver", "ConvnetKernels", "ConvnetOptimizer", "ConvnetIR", "ConvnetSema", "ConvnetTraining", "TPUEmulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The fuzz targets (`make fuzz` runs them under libFuzzer; ConvnetFuzzTests replays their
        // committed seeds and every input that ever crashed).
        .target(name: "ConvnetFuzzTargets",
                dependencies: ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetTraining", "ConvnetData", "ConvnetSupport"]),
        .executableTarget(name: "convnetc-fuzz", dependencies: ["ConvnetFuzzTargets"]),

        // `make bench`: the figures quoted in the README, measured in one process.
        .executableTarget(name: "convnetc-bench",
                          dependencies: ["ConvnetDriver", "ConvnetKernels", "ConvnetCPU", "ConvnetIR",
                                         "ConvnetOptimizer", "ConvnetSema", "ConvnetSyntax", "ConvnetSupport",
                                         "ConvnetTraining", "ConvnetCodegen"],
                          swiftSettings: nativeCPU),

        // Helpers several test targets share (test targets cannot import each other).
        .target(name: "ConvnetTestSupport", dependencies: ["ConvnetSema", "ConvnetSyntax"],
                path: "Tests/ConvnetTestSupport"),

        .testTarget(name: "ConvnetSupportTests", dependencies: ["ConvnetSupport"]),
        .testTarget(name: "ConvnetFuzzTests", dependencies: ["ConvnetFuzzTargets"]),
        .testTarget(name: "ConvnetSyntaxTests", dependencies: ["ConvnetTestSupport", "ConvnetSyntax"], exclude: ["Golden"]),
        .testTarget(name: "ConvnetSemaTests", dependencies: ["ConvnetSema"]),
        .testTarget(name: "ConvnetIRTests", dependencies: ["ConvnetTestSupport", "ConvnetIR"]),
        .testTarget(name: "ConvnetOptimizerTests", dependencies: ["ConvnetTestSupport", "ConvnetOptimizer"], exclude: ["Golden"]),
        .testTarget(name: "ConvnetKernelsTests", dependencies: ["ConvnetKernels"]),
        .testTarget(name: "ConvnetDataTests", dependencies: ["ConvnetData"], exclude: ["Fixtures"]),
        .testTarget(name: "ConvnetCPUTests", dependencies: ["ConvnetTestSupport", "ConvnetCPU"]),
        .testTarget(name: "TPUEmulatorTests", dependencies: ["TPUEmulator", "ConvnetKernels", "ConvnetIR", "ConvnetSema", "ConvnetSyntax", "ConvnetSupport",
                                                           "ConvnetCPU", "ConvnetTraining", "ConvnetData"]),
        .testTarget(name: "ConvnetTrainingTests", dependencies: ["ConvnetTraining", "ConvnetSupport"]),
        .testTarget(name: "ConvnetCodegenTests",
                    dependencies: ["ConvnetCodegen", "ConvnetNativeRuntime", "ConvnetCPU", "ConvnetTraining", "ConvnetSyntax",
                                   "ConvnetSema", "ConvnetIR", "ConvnetOptimizer"],
                    exclude: ["Golden"]),
        .testTarget(name: "ConvnetDriverTests",
                    dependencies: ["ConvnetTestSupport", "ConvnetDriver", "ConvnetIR", "ConvnetSema", "ConvnetSyntax", "ConvnetCPU"],
                    exclude: ["Golden", "Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
