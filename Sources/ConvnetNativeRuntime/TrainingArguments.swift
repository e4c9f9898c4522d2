import ConvnetTraining

/// The training settings handed from `convnetc FILE --run --target native` to the generated
/// binary, as command-line flags spelled like convnetc's own (`--epochs 2 --seed 7`). Encoding
/// and decoding live side by side so the two ends cannot drift apart.
public enum TrainingArguments {
    /// The flags for `options` (only those that are set).
    public static func encode(_ o: TrainingOptions) -> [String] {
        var args: [String] = []
        if let v = o.epochs { args += ["--epochs", String(v)] }
        if let v = o.batch { args += ["--batch", String(v)] }
        if let v = o.learningRate { args += ["--lr", "\(v)"] }
        if let v = o.data { args += ["--data", v] }
        if let v = o.seed { args += ["--seed", String(v)] }
        if let v = o.validation { args += ["--validation", "\(v)"] }
        if o.resume { args.append("--resume") }
        if o.overwrite { args.append("--overwrite") }
        if let v = o.outputDirectory { args += ["--out", v] }
        if let v = o.workers { args += ["--workers", String(v)] }
        if let v = o.validationData { args += ["--validation-data", v] }
        if let v = o.imageKey { args += ["--image-key", v] }
        if let v = o.labelKey { args += ["--label-key", v] }
        return args
    }

    /// Parses flags made by `encode` (or typed by hand); throws on anything else.
    public static func decode(_ args: [String]) throws -> TrainingOptions {
        var o = TrainingOptions()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count else { throw EmitError("\(flag) needs a value") }
            return args[i]
        }
        func int(_ flag: String) throws -> Int {
            guard let v = Int(try value(flag)) else { throw EmitError("\(flag) needs a whole number") }
            return v
        }
        func double(_ flag: String) throws -> Double {
            guard let v = Double(try value(flag)) else { throw EmitError("\(flag) needs a number") }
            return v
        }
        while i < args.count {
            let flag = args[i]
            switch flag {
            case "--epochs": o.epochs = try int(flag)
            case "--batch": o.batch = try int(flag)
            case "--lr": o.learningRate = try double(flag)
            case "--data": o.data = try value(flag)
            case "--seed": o.seed = try int(flag)
            case "--validation": o.validation = try double(flag)
            case "--resume": o.resume = true
            case "--overwrite": o.overwrite = true
            case "--out": o.outputDirectory = try value(flag)
            case "--workers": o.workers = try int(flag)
            case "--validation-data": o.validationData = try value(flag)
            case "--image-key": o.imageKey = try value(flag)
            case "--label-key": o.labelKey = try value(flag)
            default: throw EmitError("unknown option \(flag)")
            }
            i += 1
        }
        return o
    }
}
