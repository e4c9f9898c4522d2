/// The `train { ... }` block and its settings.
extension ParserState {
    /// train = "train" "{" { separator } [ setting { separator { separator } setting } { separator } ] "}"
    ///
    /// A layer keyword inside the block means its `}` was forgotten: reported once at the `{`,
    /// and parsing resumes at the layer instead of calling every later line an unknown setting.
    mutating func parseTrain() {
        let keyword = advance()
        let isFirst = firstTrainKeyword == nil
        if let first = firstTrainKeyword {
            report(.error("parse.duplicate-train-block", "a model has one train block, but this is the second",
                          at: keyword.range, help: "merge the settings into the first train block",
                          notes: [DiagnosticNote("the first train block is here", at: first)]))
        } else {
            firstTrainKeyword = keyword.range
        }
        guard current.kind == .leftBrace else {
            _ = expected("'{'", help: "write the settings in braces, e.g. train { epochs 20; batch 32 }")
            synchronize()
            return
        }
        let brace = advance()
        var block = TrainBlock(range: keyword.range)
        var seen: [Keyword: SourceRange] = [:]
        var closed = false
        inTrainBlock = true
        loop: while true {
            skipSeparators()
            let token = current
            switch token.kind {
            case .rightBrace:
                advance()
                closed = true
                break loop
            case .endOfFile:
                report(.error("parse.unterminated-block", "this train block is never closed", at: brace.range,
                              help: "add '}' after the last setting",
                              notes: [DiagnosticNote("the file ends here", at: .at(lastEnd))]))
                break loop
            case .keyword(let k) where k.isStatementStart:
                report(.error("parse.unterminated-block", "this train block is never closed", at: brace.range,
                              help: "add '}' after the last setting",
                              notes: [DiagnosticNote("'\(k.rawValue)' starts a new statement while the block is still open",
                                                     at: token.range)]))
                break loop
            default:
                statementStart = token.range.start
                let before = index
                do {
                    try parseSetting(into: &block, seen: &seen)
                    try expectStatementEnd()
                } catch {
                    synchronize()
                }
                // Loop guard: every setting consumes at least one token.
                assert(index > before, "parser made no progress in a train block at token \(index)")
                if index == before { advance() }
            }
        }
        inTrainBlock = false
        block.range = SourceRange(keyword.range.start, lastEnd)
        if isFirst { file.train = block }
        if closed {
            statementStart = keyword.range.start
            do { try expectStatementEnd() } catch { synchronize() }
        }
    }

    /// setting = "data" STRING | "validation" NUMBER | "batch" INT | "epochs" INT
    ///         | "optimizer" optimizer | "schedule" schedule | "seed" INT
    ///         | "augment" augmentation { augmentation }
    mutating func parseSetting(into block: inout TrainBlock, seen: inout [Keyword: SourceRange]) throws(Recovery) {
        let token = current
        guard case .keyword(let key) = token.kind, key.isTrainKey else {
            if token.kind == .identifier || isWord(token) {
                advance()
                let word = text(token)
                report(.error("parse.unknown-setting", "unknown train setting '\(Lexer.printable(word))'",
                              at: token.range,
                              help: Suggestion.help(for: word, among: Keyword.trainKeys.map(\.rawValue),
                                                    otherwise: "a train block accepts data, validation, batch, epochs, optimizer, schedule, seed and augment")))
                throw Recovery()
            }
            throw expected("a train setting", id: "parse.expected-setting",
                           help: "a train setting starts with a word such as epochs or batch")
        }
        advance()
        // A repeated key is reported only once its value parsed, so a line gets one error.
        let firstRange = key == .augment ? nil : seen[key]
        let duplicate = firstRange != nil
        if !duplicate { seen[key] = token.range }
        let failedBefore = statementFailed
        statementFailed = false
        defer {
            if let firstRange, !statementFailed {
                report(.error("parse.duplicate-setting", "'\(key.rawValue)' is set twice in the train block",
                              at: token.range, help: "keep one '\(key.rawValue)' line",
                              notes: [DiagnosticNote("the first '\(key.rawValue)' is here", at: firstRange)]))
            }
            statementFailed = statementFailed || failedBefore
        }
        switch key {
        case .data:
            let path = current
            guard path.kind == .string else {
                throw expected("a quoted path", help: "write the dataset folder in quotes, e.g. data \"flowers\"")
            }
            advance()
            let value = text(SourceRange(path.range.start + 1, path.range.end - 1))
            if value.isEmpty {
                report(.error("parse.empty-path", "the data path is empty", at: path.range,
                              help: "write the dataset folder in quotes, e.g. data \"flowers\""))
            }
            if !statementFailed, !duplicate { block.data = Spanned(value, path.range) }
        case .validation:
            let help = "write the fraction of images held out, e.g. validation 0.19"
            let v = try parseReal("validation fraction", help: help)
            if let value = v.value, !(value >= 0 && value < 1) {
                report(.error("parse.out-of-range",
                              "validation fraction must be at least 0 and below 1, found \(text(v.range))",
                              at: v.range, help: help))
            }
            if !statementFailed, !duplicate, let value = v.value { block.validation = Spanned(value, v.range) }
        case .batch, .epochs, .seed:
            let (what, minimum, example) = key == .batch ? ("batch size", 1, "batch 32")
                : key == .epochs ? ("epoch count", 1, "epochs 20") : ("seed", 0, "seed 1")
            let help = "write e.g. \(example)"
            let n = try parseInteger(what, help: help)
            if let value = n.value, value < minimum {
                report(.error("parse.zero-size", "\(what) must be at least \(minimum), found \(value)",
                              at: n.range, help: help))
            }
            if !statementFailed, !duplicate, let value = n.value {
                let spanned = Spanned(value, n.range)
                switch key {
                case .batch: block.batch = spanned
                case .epochs: block.epochs = spanned
                default: block.seed = spanned
                }
            }
        case .optimizer:
            let optimizer = try parseOptimizer()
            if !statementFailed, !duplicate, let optimizer {
                block.optimizer = Spanned(optimizer, SourceRange(token.range.start, lastEnd))
            }
        case .schedule:
            let schedule = try parseSchedule()
            if !statementFailed, !duplicate, let schedule {
                block.schedule = Spanned(schedule, SourceRange(token.range.start, lastEnd))
            }
        default:
            try parseAugment(into: &block)
        }
    }

    /// optimizer = ( "adam" | "sgd" ) { "lr" NUMBER | "momentum" NUMBER }   ("lr" required,
    ///             "momentum" only for sgd; each at most once)
    mutating func parseOptimizer() throws(Recovery) -> OptimizerDecl? {
        let help = "write e.g. optimizer adam lr 0.001, or optimizer sgd lr 0.01 momentum 0.9"
        let name = current
        guard case .keyword(let kind) = name.kind, kind == .adam || kind == .sgd else {
            if name.kind == .identifier || isWord(name) {
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

    func isWord(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword, .identifier: true
        default: false
        }
    }
}
