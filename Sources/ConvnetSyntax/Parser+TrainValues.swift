import ConvnetInterface

/// The values of the train settings that have their own small grammar: optimizer, schedule,
/// augmentations.
extension ParserState {
    /// optimizer = ( "adam" | "adamw" | "sgd" ) { "lr" NUMBER | "momentum" NUMBER | "nesterov"
    ///             | "weight_decay" NUMBER }   ("lr" required; "momentum" and "nesterov" only for
    ///             sgd, "weight_decay" only for adamw; each at most once)
    mutating func parseOptimizer() throws(Recovery) -> OptimizerSetting? {
        let help = "write e.g. optimizer adam lr 0.001, optimizer adamw lr 0.001 weight_decay 0.004, or optimizer sgd lr 0.01 momentum 0.9 nesterov"
        let name = current
        guard case .keyword(let kind) = name.kind, kind == .adam || kind == .adamw || kind == .sgd else {
            if isWord(name) {
                advance()
                report(.error("parse.unknown-optimizer", "unknown optimizer '\(Lexer.printable(text(name)))'",
                              at: name.range,
                              help: Suggestion.help(for: text(name), among: ["adam", "adamw", "sgd"], otherwise: help)))
                throw Recovery()
            }
            throw expected("'adam', 'adamw' or 'sgd'", help: help)
        }
        advance()
        let allowed: [Keyword] = switch kind {
        case .sgd: [.lr, .momentum, .nesterov]
        case .adamw: [.lr, .weightDecay]
        default: [.lr]
        }
        var values: [Keyword: Double?] = [:]
        var given: [Keyword: SourceRange] = [:]
        while !atStatementEnd {
            let option = current
            switch option.kind {
            case .keyword(let key) where key == .lr || key == .momentum || key == .nesterov || key == .weightDecay:
                advance()
                var value: Double? = 1
                switch key {
                case .lr:
                    let v = try parseReal("learning rate", help: help)
                    if let x = v.value, !(x > 0) {
                        report(.error("parse.out-of-range", "learning rate must be above 0, found \(text(v.range))",
                                      at: v.range, help: help))
                    }
                    value = v.value
                case .momentum:
                    let v = try parseReal("momentum", help: help)
                    if let x = v.value, !(x >= 0 && x < 1) {
                        report(.error("parse.out-of-range",
                                      "momentum must be at least 0 and below 1, found \(text(v.range))",
                                      at: v.range, help: help))
                    }
                    value = v.value
                case .weightDecay:
                    let v = try parseReal("weight decay", help: help)
                    if let x = v.value, !(x >= 0 && x < 1) {
                        report(.error("parse.out-of-range",
                                      "weight decay must be at least 0 and below 1, found \(text(v.range))",
                                      at: v.range, help: "write e.g. weight_decay 0.004 (Keras' default): each step, w -= lr * 0.004 * w"))
                    }
                    value = v.value
                default:
                    break  // nesterov: a flag
                }
                let word = key.rawValue
                if !allowed.contains(key) {
                    let message = "\(kind.rawValue) takes no \(word)"
                    let fix = switch key {
                    case .momentum: kind == .adam ? "remove it (adam keeps its own moment estimates), or use optimizer sgd"
                        : "remove it (adamw keeps its own moment estimates), or use optimizer sgd"
                    case .nesterov: "remove it, or use optimizer sgd lr 0.01 momentum 0.9 nesterov"
                    default: "remove it, or use optimizer adamw lr 0.001 weight_decay 0.004"
                    }
                    report(.error("parse.option-not-allowed", message, at: option.range, help: fix))
                } else if let first = given[key] {
                    report(.error("parse.duplicate-option", "\(word) is given twice", at: option.range, help: "keep one \(word)",
                                  notes: [DiagnosticNote("the first \(word) is here", at: first)]))
                } else {
                    values[key] = value
                    given[key] = option.range
                }
            case .identifier, .keyword:
                let word = text(option)
                if let guess = Suggestion.closest(to: word, among: allowed.map(\.rawValue)) {
                    advance()
                    report(.error("parse.unknown-option", "unknown optimizer option '\(Lexer.printable(word))'",
                                  at: option.range, help: Suggestion.didYouMean(guess, for: word)))
                    continue
                }
                try expectStatementEnd(help: help)
            default:
                try expectStatementEnd(help: help)
            }
        }
        guard let lr = values[.lr] else {
            throw expected("'lr' and a learning rate", id: "parse.missing-learning-rate", help: help)
        }
        guard let rate = lr else { return nil }
        switch kind {
        case .adam:
            return .adam(learningRate: rate)
        case .adamw:
            guard let decay = values[.weightDecay] ?? 0.004 else { return nil }
            return .adamw(learningRate: rate, weightDecay: decay)
        default:
            guard let m = values[.momentum] ?? 0 else { return nil }
            if given[.nesterov] != nil, m == 0 {
                report(.warning("parse.nesterov-without-momentum", "nesterov does nothing without momentum",
                                at: given[.nesterov]!, help: "add momentum, e.g. optimizer sgd lr 0.01 momentum 0.9 nesterov"))
            }
            return .sgd(learningRate: rate, momentum: m, nesterov: given[.nesterov] != nil)
        }
    }

    /// schedule = "constant" | "cosine" | "exponential" NUMBER | "ramp" { rampOption }   (0 < decay <= 1)
    mutating func parseSchedule() throws(Recovery) -> ScheduleSetting? {
        let help = "write schedule constant, schedule cosine, schedule exponential 0.9, or schedule ramp"
        let name = current
        switch name.kind {
        case .keyword(.constant): advance(); return .constant
        case .keyword(.cosine): advance(); return .cosine
        case .keyword(.exponential):
            advance()
            let decay = try parseReal("decay rate", help: help)
            guard let value = decay.value else { return nil }
            guard value > 0 && value <= 1 else {
                report(.error("parse.out-of-range", "decay rate must be above 0 and at most 1, found \(text(decay.range))",
                              at: decay.range, help: "the learning rate is multiplied by the decay every epoch, e.g. 0.9"))
                return nil
            }
            return .exponential(decay: value)
        case .keyword(.ramp):
            advance()
            return try parseRamp().map(ScheduleSetting.ramp)
        case .identifier, .keyword:
            advance()
            report(.error("parse.unknown-schedule", "unknown schedule '\(Lexer.printable(text(name)))'", at: name.range,
                          help: Suggestion.help(for: text(name), among: ["constant", "cosine", "exponential", "ramp"],
                                                otherwise: help)))
            throw Recovery()
        default:
            throw expected("'constant', 'cosine', 'exponential' or 'ramp'", help: help)
        }
    }

    /// rampOption = WORD NUMBER, WORD one of start, max, min (learning rates), rampup, sustain
    /// (whole epochs) and decay (0 < D <= 1), each at most once, in any order. The words are
    /// not reserved: they mean something only here. Nil when an option was wrong (reported).
    mutating func parseRamp() throws(Recovery) -> RampSchedule? {
        let help = "write e.g. schedule ramp start 1e-5 max 4e-4 min 1e-5 rampup 5 sustain 0 decay 0.8 (each optional)"
        let names = ["start", "max", "min", "rampup", "sustain", "decay"]
        var ramp = RampSchedule()
        var given: [String: SourceRange] = [:]
        var ok = true
        while !atStatementEnd {
            let option = current
            let word = text(option)
            guard isWord(option), names.contains(word) else {
                if isWord(option), let guess = Suggestion.closest(to: word, among: names) {
                    advance()
                    while isNumber(current) || (current.kind == .minus && isNumber(peek(1))) { advance() }
                    report(.error("parse.unknown-option", "unknown ramp option '\(Lexer.printable(word))'",
                                  at: option.range, help: Suggestion.didYouMean(guess, for: word)))
                    ok = false
                    continue
                }
                try expectStatementEnd(help: help)
                break
            }
            advance()
            var valid = true
            if word == "rampup" || word == "sustain" {
                let n = try parseInteger("\(word) epoch count", help: help)
                if let v = n.value {
                    if word == "rampup" { ramp.rampup = v } else { ramp.sustain = v }
                } else {
                    valid = false
                }
            } else {
                let what = word == "decay" ? "decay rate" : "\(word) learning rate"
                let x = try parseReal(what, help: help)
                if let v = x.value {
                    let (inRange, rule) = switch word {
                    case "decay": (v > 0 && v <= 1, "above 0 and at most 1")
                    case "max": (v > 0, "above 0")
                    default: (v >= 0, "at least 0")
                    }
                    if inRange {
                        switch word {
                        case "start": ramp.start = v
                        case "max": ramp.max = v
                        case "min": ramp.min = v
                        default: ramp.decay = v
                        }
                    } else {
                        report(.error("parse.out-of-range", "\(what) must be \(rule), found \(text(x.range))",
                                      at: x.range, help: help))
                        valid = false
                    }
                } else {
                    valid = false
                }
            }
            if let first = given[word] {
                report(.error("parse.duplicate-option", "\(word) is given twice", at: option.range, help: "keep one \(word)",
                              notes: [DiagnosticNote("the first \(word) is here", at: first)]))
                valid = false
            } else {
                given[word] = option.range
            }
            ok = ok && valid
        }
        guard ok else { return nil }
        for (bound, value) in [("start", ramp.start), ("min", ramp.min)] where value > ramp.max {
            let at = given[bound] ?? given["max"] ?? current.range
            report(.error("parse.out-of-range", "the ramp's \(bound) learning rate \(ParserState.format(value)) is above its max \(ParserState.format(ramp.max))",
                          at: at, help: "the rate climbs from start to max and decays from max towards min; raise max or lower \(bound)"))
            ok = false
        }
        return ok ? ramp : nil
    }

    /// augment = "augment" augmentation { augmentation }   (any order; a repeated one is a warning)
    mutating func parseAugment(into block: inout TrainBlock) throws(Recovery) {
        let help = ParserState.augmentHelp
        let names = ["flip", "crop", "zoom", "brightness", "contrast", "saturation"]
        var count = 0
        while !atStatementEnd {
            let token = current
            switch token.kind {
            case .keyword(.flip), .keyword(.crop), .keyword(.zoom), .keyword(.brightness), .keyword(.contrast),
                 .keyword(.saturation):
                advance()
                count += 1
                let parsed = try parseAugmentation(token)
                guard let augmentation = parsed else { continue }
                if let first = block.augment.first(where: { $0.value.name == augmentation.name }) {
                    report(.warning("parse.duplicate-augment", "augment \(augmentation.name) is already on",
                                    at: token.range, help: "remove the repeated '\(augmentation.name)'",
                                    notes: [DiagnosticNote("it was turned on here", at: first.range)]))
                } else {
                    block.augment.append(Spanned(augmentation, SourceRange(token.range.start, lastEnd)))
                }
            case .identifier, .keyword:
                // After at least one augmentation, a word that looks like no augmentation is
                // trailing garbage rather than a misspelling.
                let guess = Suggestion.closest(to: text(token), among: names)
                if count > 0, guess == nil {
                    try expectStatementEnd(help: help)
                    return
                }
                advance()
                count += 1
                // Its numbers belong to it: skipped, so one misspelling is one error.
                while isNumber(current) || (current.kind == .minus && isNumber(peek(1))) { advance() }
                report(.error("parse.unknown-augmentation", "unknown augmentation '\(Lexer.printable(text(token)))'",
                              at: token.range, help: guess.map { Suggestion.didYouMean($0, for: text(token)) } ?? help))
            default:
                if count == 0 { throw expected("an augmentation such as 'flip'", help: help) }
                return
            }
        }
        if count == 0 { throw expected("an augmentation such as 'flip'", help: help) }
    }

    static let augmentHelp = "write e.g. augment flip saturation 0 2 (flip, crop [P], zoom Z, brightness D, contrast L U, saturation L U)"

    /// augmentation = "flip" | "crop" [ NUMBER ] | "zoom" NUMBER | "brightness" NUMBER
    ///              | ( "contrast" | "saturation" ) NUMBER NUMBER
    ///
    /// `keyword` was just read. Nil when an argument was wrong (reported here).
    mutating func parseAugmentation(_ keyword: Token) throws(Recovery) -> AugmentationSetting? {
        switch keyword.kind {
        case .keyword(.brightness):
            let help = "write e.g. brightness 0.2: a delta uniform in [-0.2, 0.2] is added to every pixel value (0 to 1)"
            let delta = try parseReal("brightness delta", help: help)
            guard let d = delta.value else { return nil }
            guard d >= 0 && d <= 1 else {
                report(.error("parse.out-of-range", "brightness delta must be at least 0 and at most 1, found \(text(delta.range))",
                              at: delta.range, help: help))
                return nil
            }
            return .brightness(delta: d)
        case .keyword(.contrast), .keyword(.saturation):
            let name = text(keyword)
            guard let (lower, upper) = try parseFactorRange(name) else { return nil }
            return keyword.kind == .keyword(.contrast) ? .contrast(lower: lower, upper: upper)
                : .saturation(lower: lower, upper: upper)
        case .keyword(.crop):
            // Bare: the shift; with a number: the window's fraction of each side.
            guard isNumber(current) || current.kind == .minus else { return .crop }
            let help = "write e.g. crop 0.8: a random window of 80% of each side, resized back (bare crop shifts by up to 1/8)"
            let fraction = try parseReal("crop fraction", help: help)
            guard let p = fraction.value else { return nil }
            guard p > 0 && p <= 1 else {
                report(.error("parse.out-of-range", "crop fraction must be above 0 and at most 1, found \(text(fraction.range))",
                              at: fraction.range, help: help))
                return nil
            }
            return .cropWindow(fraction: p)
        case .keyword(.zoom):
            let help = "write e.g. zoom 0.2: a zoom factor uniform in [0.8, 1.2], as Keras RandomZoom(0.2)"
            let factor = try parseReal("zoom range", help: help)
            guard let z = factor.value else { return nil }
            guard z > 0 && z < 1 else {
                report(.error("parse.out-of-range", "zoom range must be above 0 and below 1, found \(text(factor.range))",
                              at: factor.range, help: help))
                return nil
            }
            return .zoom(z)
        case .keyword(.flip):
            return .flip
        default:
            return nil  // the caller passes only the words above
        }
    }

    /// `L U` after `contrast` or `saturation`: two factors, 0 <= L <= U. Nil when one was wrong
    /// (each problem reported once).
    mutating func parseFactorRange(_ name: String) throws(Recovery) -> (Double, Double)? {
        let help = "write the lowest and highest factor, e.g. \(name) 0 2 (1 leaves the image as it is)"
        let lower = try parseReal("lowest \(name) factor", help: help)
        let upper = try parseReal("highest \(name) factor", help: help)
        var ok = true
        for bound in [lower, upper] {
            if let v = bound.value, v < 0 {
                report(.error("parse.out-of-range", "\(name) factor cannot be negative, found \(text(bound.range))",
                              at: bound.range, help: help))
                ok = false
            }
        }
        guard ok, let l = lower.value, let u = upper.value else { return nil }
        guard l <= u else {
            report(.error("parse.out-of-range",
                          "the lowest \(name) factor \(text(lower.range)) is above the highest \(text(upper.range))",
                          at: lower.range.union(upper.range),
                          help: "write the smaller factor first, e.g. \(name) \(text(upper.range)) \(text(lower.range))"))
            return nil
        }
        return (l, u)
    }
}
