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
            switch stepInBraces(brace.range, list: "train block", lastItem: "the last setting") {
            case .closed:
                closed = true
                break loop
            case .unterminated:
                break loop
            case .item(let token):
                if case .keyword(let k) = token.kind, k.isStatementStart {
                    reportUnclosed(brace.range, list: "train block", lastItem: "the last setting",
                                   note: DiagnosticNote("'\(k.rawValue)' starts a new statement while the block is still open",
                                                        at: token.range))
                    break loop
                }
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

    /// setting = "data" STRING | "validation_data" STRING | "validation" NUMBER | "batch" INT | "epochs" INT
    ///         | "optimizer" optimizer | "schedule" schedule | "seed" INT
    ///         | "augment" augmentation { augmentation } | "label_smoothing" NUMBER
    mutating func parseSetting(into block: inout TrainBlock, seen: inout [Keyword: SourceRange]) throws(Recovery) {
        let token = current
        guard case .keyword(let key) = token.kind, key.isTrainKey else {
            if isWord(token) {
                advance()
                let word = text(token)
                report(.error("parse.unknown-setting", "unknown train setting '\(Lexer.printable(word))'",
                              at: token.range,
                              help: Suggestion.help(for: word, among: Keyword.trainKeys.map(\.rawValue),
                                                    otherwise: "a train block accepts data, validation, batch, epochs, optimizer, schedule, seed, augment and label_smoothing")))
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
        case .data, .validationData:
            let example = key == .data ? "the dataset folder in quotes, e.g. data \"flowers\""
                : "the validation shards in quotes, e.g. validation_data \"flowers/val-*.tfrec\""
            let path = current
            guard path.kind == .string else {
                throw expected("a quoted path", help: "write \(example)")
            }
            advance()
            let value = text(SourceRange(path.range.start + 1, path.range.end - 1))
            if value.isEmpty {
                report(.error("parse.empty-path", "the \(key == .data ? "data" : "validation_data") path is empty",
                              at: path.range, help: "write \(example)"))
            }
            if !statementFailed, !duplicate {
                if key == .data { block.data = Spanned(value, path.range) } else { block.validationData = Spanned(value, path.range) }
            }
        case .labelSmoothing:
            let help = "write e.g. label_smoothing 0.1: the cross-entropy's targets become 0.9 * onehot + 0.1 / classes"
            let v = try parseReal("label smoothing", help: help)
            if let value = v.value, !(value >= 0 && value < 1) {
                report(.error("parse.out-of-range",
                              "label smoothing must be at least 0 and below 1, found \(text(v.range))",
                              at: v.range, help: help))
            }
            if !statementFailed, !duplicate, let value = v.value { block.labelSmoothing = Spanned(value, v.range) }
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
}
