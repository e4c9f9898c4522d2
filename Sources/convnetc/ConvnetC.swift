import ArgumentParser
import ConvnetDriver

/// The `convnetc` command: argument parsing only. The work happens in ConvnetDriver.
struct ConvnetC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convnetc",
        abstract: "A compiler for convolutional image classifiers written as text.",
        discussion: """
            Check, lint, optimise and train a .convnet model:
              convnetc summary samples/flowers.convnet
              convnetc samples/flowers.convnet --run
            """,
        version: CompilerVersion.string,
        subcommands: [Compile.self, Summary.self, Check.self, Lint.self, Stats.self, Profile.self, Predict.self, Evaluate.self,
                      DataCommand.self, Export.self, Report.self],
        defaultSubcommand: Compile.self)
}
