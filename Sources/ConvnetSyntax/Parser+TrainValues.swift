/// The values of the train settings that have their own small grammar: optimizer, schedule,
/// augmentations.
extension ParserState {
    /// optimizer = ( "adam" | "sgd" ) { "lr" NUMBER | "momentum" NUMBER }   ("lr" required,
    ///             "momentum" only for sgd; each at most once)
    mutating func parseOptimizer() throws(Recovery) -> OptimizerDecl? {
        let help = "write e.g. optimizer adam lr 0.001, or optimizer sgd lr 0.01 momentum 0.9"
        let name = current
        guard case .keyword(let kind) = name.kind, kind == .adam || kind == .sgd else {
            if isWord(name) {
                advance()
                report(.error("parse.unknown-optimizer", "unknown optimizer '\(Lexer.printable(text(name)))'",
                              at: name.range,
                              help: Suggestion.help(for: text(name), among: ["adam", "sgd"], otherwise: help)))
                throw Recovery()
            }
            throw expected("'adam' or 'sgd'", help: help)
        }
        advance()
        var lr: Spanned<Double?>?
        var momentum: Spanned<Double?>?
        var lrKeyword: SourceRange?
        var momentumKeyword: SourceRange?
        while !atStatementEnd {
            let option = current
            switch option.kind {
            case .keyword(.lr):
                advance()
                let value = try parseReal("learning rate", help: help)
                if let v = value.value, !(v > 0) {
                    report(.error("parse.out-of-range", "learning rate must be above 0, found \(text(value.range))",
                                  at: value.range, help: help))
                }
                if let first = lrKeyword {
                    report(.error("parse.duplicate-option", "lr is given twice", at: option.range, help: "keep one lr",
                                  notes: [DiagnosticNote("the first lr is here", at: first)]))
                } else {
                    lr = value
                    lrKeyword = option.range
                }
            case .keyword(.momentum):
                advance()
                let value = try parseReal("momentum", help: help)
                if let v = value.value, !(v >= 0 && v < 1) {
                    report(.error("parse.out-of-range",
                                  "momentum must be at least 0 and below 1, found \(text(value.range))",
                                  at: value.range, help: help))
                }
                if kind == .adam {
                    report(.error("parse.option-not-allowed", "adam takes no momentum", at: option.range,
                                  help: "remove it (adam keeps its own moment estimates), or use optimizer sgd"))
                } else if let first = momentumKeyword {
                    report(.error("parse.duplicate-option", "momentum is given twice", at: option.range,
                                  help: "keep one momentum",
                                  notes: [DiagnosticNote("the first momentum is here", at: first)]))
                } else {
                    momentum = value
                    momentumKeyword = option.range
                }
            case .identifier, .keyword:
                let word = text(option)
                if let guess = Suggestion.closest(to: word, among: kind == .sgd ? ["lr", "momentum"] : ["lr"]) {
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
        guard let lr else {
            throw expected("'lr' and a learning rate", id: "parse.missing-learning-rate", help: help)
        }
        guard let rate = lr.value else { return nil }
        switch kind {
        case .adam: return .adam(learningRate: rate)
        default:
            guard let m = momentum?.value ?? (momentum == nil ? 0 : nil) else { return nil }
            return .sgd(learningRate: rate, momentum: m)
        }
    }

    /// schedule = "constant" | "cosine" | "exponential" NUMBER      (0 < decay <= 1)
    mutating func parseSchedule() throws(Recovery) -> ScheduleDecl? {
        let help = "write schedule constant, schedule cosine, or schedule exponential 0.9"
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
        case .identifier, .keyword:
            advance()
            report(.error("parse.unknown-schedule", "unknown schedule '\(Lexer.printable(text(name)))'", at: name.range,
                          help: Suggestion.help(for: text(name), among: ["constant", "cosine", "exponential"],
                                                otherwise: help)))
            throw Recovery()
        default:
            throw expected("'constant', 'cosine' or 'exponential'", help: help)
        }
    }

    /// augment = "augment" ( "flip" | "crop" ) { "flip" | "crop" }
    mutating func parseAugment(into block: inout TrainBlock) throws(Recovery) {
        let help = "write augment flip, augment crop, or augment flip crop"
        var count = 0
        while !atStatementEnd {
            let token = current
            switch token.kind {
            case .keyword(.flip), .keyword(.crop):
                advance()
                count += 1
                let augmentation: Augmentation = token.kind == .keyword(.flip) ? .flip : .crop
                if let first = block.augment.first(where: { $0.value == augmentation }) {
                    report(.warning("parse.duplicate-augment", "augment \(augmentation.rawValue) is already on",
                                    at: token.range, help: "remove the repeated '\(augmentation.rawValue)'",
                                    notes: [DiagnosticNote("it was turned on here", at: first.range)]))
                } else {
                    block.augment.append(Spanned(augmentation, token.range))
                }
            case .identifier, .keyword:
                // After at least one augmentation, a word that looks like no augmentation is
                // trailing garbage rather than a misspelling.
                let guess = Suggestion.closest(to: text(token), among: ["flip", "crop"])
                if count > 0, guess == nil {
                    try expectStatementEnd(help: help)
                    return
                }
                advance()
                count += 1
                report(.error("parse.unknown-augmentation", "unknown augmentation '\(Lexer.printable(text(token)))'",
                              at: token.range, help: guess.map { Suggestion.didYouMean($0, for: text(token)) } ?? help))
            default:
                if count == 0 { throw expected("'flip' or 'crop'", help: help) }
                return
            }
        }
        if count == 0 { throw expected("'flip' or 'crop'", help: help) }
    }
}
