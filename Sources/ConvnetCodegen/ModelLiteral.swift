import ConvnetIR

/// Swift spellings of the runtime's constants (`ModelDescription`, `ProgramInterface`), so a
/// native binary carries its model as values and never parses the `.convnet` file.
enum ModelLiteral {
    static func array(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }

    /// A Double that reads back exactly (Swift prints the shortest round-tripping form).
    static func double(_ value: Double) -> String { "\(value)" }

    static func optimizer(_ o: OptimizerSetting) -> String {
        switch o {
        case .adam(let lr): ".adam(learningRate: \(double(lr)))"
        case .adamw(let lr, let decay): ".adamw(learningRate: \(double(lr)), weightDecay: \(double(decay)))"
        case .sgd(let lr, let momentum, let nesterov):
            ".sgd(learningRate: \(double(lr)), momentum: \(double(momentum)), nesterov: \(nesterov))"
        }
    }

    static func schedule(_ s: ScheduleSetting) -> String {
        switch s {
        case .constant: ".constant"
        case .cosine: ".cosine"
        case .exponential(let decay): ".exponential(decay: \(double(decay)))"
        case .ramp(let r):
            ".ramp(RampSchedule(start: \(double(r.start)), max: \(double(r.max)), min: \(double(r.min)), "
                + "rampup: \(r.rampup), sustain: \(r.sustain), decay: \(double(r.decay))))"
        }
    }

    static func augmentation(_ a: AugmentationSetting) -> String {
        switch a {
        case .flip: ".flip"
        case .crop: ".crop"
        case .cropWindow(let fraction): ".cropWindow(fraction: \(double(fraction)))"
        case .zoom(let factor): ".zoom(\(double(factor)))"
        case .brightness(let delta): ".brightness(delta: \(double(delta)))"
        case .contrast(let lower, let upper): ".contrast(lower: \(double(lower)), upper: \(double(upper)))"
        case .saturation(let lower, let upper): ".saturation(lower: \(double(lower)), upper: \(double(upper)))"
        }
    }

    static func initializer(_ i: Initializer) -> String {
        switch i {
        case .glorotUniform(let fanIn, let fanOut): ".glorotUniform(fanIn: \(fanIn), fanOut: \(fanOut))"
        case .zeros: ".zeros"
        case .ones: ".ones"
        }
    }

    static func parameter(_ p: ParameterInfo) -> String {
        "ParameterInfo(name: \(Literal.string(p.name)), layer: \(Literal.string(p.layer)), shape: \(array(p.shape)), "
            + "trainable: \(p.trainable), initializer: \(initializer(p.initializer)))"
    }

    static func tensor(_ t: TensorSpec) -> String {
        "TensorSpec(\(Literal.string(t.name)), .\(t.element.rawValue), \(array(t.shape)))"
    }

    /// `name: [` one element a line `]`.
    static func list(_ w: inout CodeWriter, _ name: String, _ items: [String], last: Bool = false) {
        guard !items.isEmpty else { w.line("\(name): []" + (last ? "" : ",")); return }
        w.block("\(name): [", close: "]" + (last ? "" : ",")) { w in
            for item in items { w.line(item + ",") }
        }
    }

    /// `let NAME = ModelDescription(...)`.
    static func model(_ w: inout CodeWriter, name: String, _ m: ModelDescription) {
        w.block("let \(name) = ModelDescription(", close: ")") { w in
            w.line("path: \(Literal.string(m.path)),")
            w.line("inputShape: InputShape(height: \(m.inputShape.height), width: \(m.inputShape.width), channels: \(m.inputShape.channels)),")
            w.line("classCount: \(m.classCount),")
            if let macs = m.macs { w.line("macs: \(macs),") }
            let t = m.train
            w.block("train: TrainDefaults(", close: "),") { w in
                w.line("dataPath: \(t.dataPath.map(Literal.string) ?? "nil"), validationDataPath: \(t.validationDataPath.map(Literal.string) ?? "nil"),")
                w.line("validation: \(double(t.validation)), batch: \(t.batch), epochs: \(t.epochs),")
                w.line("optimizer: \(optimizer(t.optimizer)), schedule: \(schedule(t.schedule)),")
                w.line("seed: \(t.seed), augment: [\(t.augment.map(augmentation).joined(separator: ", "))]")
            }
            list(&w, "parameters", m.parameters.map(parameter))
            w.line("hash: \(Literal.string(m.hash))")
        }
    }

    /// `let NAME = ProgramInterface(...)`; its parameters are `model.parameters`, which the
    /// caller checked they equal.
    static func interface(_ w: inout CodeWriter, name: String, model: String, _ i: ProgramInterface) {
        w.block("let \(name) = ProgramInterface(", close: ")") { w in
            w.line("kind: .\(i.kind == .trainingStep ? "trainingStep" : "inference"), batch: \(i.batch),")
            w.line("parameters: \(model).parameters,")
            list(&w, "optimizerSlots", i.optimizerSlots.map(parameter))
            list(&w, "inputs", i.inputs.map(tensor))
            list(&w, "outputs", i.outputs.map(tensor), last: true)
        }
    }
}
