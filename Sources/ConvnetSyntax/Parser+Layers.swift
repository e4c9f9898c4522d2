/// Layer statements and their options.
extension ParserState {
    /// Which options a layer accepts after its numbers.
    struct AllowedOptions: OptionSet {
        let rawValue: Int
        static let stride = AllowedOptions(rawValue: 1)
        static let padding = AllowedOptions(rawValue: 2)
        static let activation = AllowedOptions(rawValue: 4)
    }

    /// The options written after a layer's numbers, each with where it was written.
    struct LayerOptions {
        var stride: Spanned<Int?>?
        var padding: Spanned<Padding>?
        var activation: Spanned<Activation>?
    }

    /// layer = conv | pool | dense | dropout | "gap" | "flatten" | "batchnorm"
    ///
    /// A layer with any error in its statement is left out of `file.layers`.
    mutating func parseLayer(_ keyword: Keyword) {
        let keywordToken = advance()
        if firstLayerKeyword == nil { firstLayerKeyword = keywordToken.range }
        do {
            var activationRange: SourceRange?
            let kind: LayerKind
            switch keyword {
            case .conv: (kind, activationRange) = try parseConv()
            case .maxpool: kind = .maxPool(try parsePool())
            case .avgpool: kind = .avgPool(try parsePool())
            case .dense: (kind, activationRange) = try parseDense()
            case .dropout: kind = try parseDropout()
            case .gap: kind = .globalAveragePool; try parseOptions(allowed: [], layer: "gap")
            case .flatten: kind = .flatten; try parseOptions(allowed: [], layer: "flatten")
            default: kind = .batchNorm; try parseOptions(allowed: [], layer: "batchnorm")
            }
            let squareHelp = "pooling windows are square: write '\(keyword.rawValue) N' for an NxN window"
            try expectStatementEnd(help: (keyword == .maxpool || keyword == .avgpool) && current.kind == .cross
                                   ? squareHelp : nil)
            if !statementFailed {
                file.layers.append(LayerDecl(kind: kind, range: SourceRange(keywordToken.range.start, lastEnd),
                                             keywordRange: keywordToken.range, activationRange: activationRange))
            }
        } catch {
            synchronize()
        }
    }

    /// conv       = "conv" INT "x" INT "x" INT { convOption }
    /// convOption = "stride" INT | "padding" ( "same" | "valid" ) | activation
    mutating func parseConv() throws(Recovery) -> (LayerKind, SourceRange?) {
        let help = "write the kernel size and filter count as KHxKWxF, e.g. conv 3x3x32"
        let dims = try parseDimensions(["kernel height", "kernel width", "filter count"], help: help)
        for (name, dim) in zip(["height", "width"], dims) {
            if let value = dim.value, value < 1 {
                report(.error("parse.zero-size", "a convolution kernel needs a \(name) of at least 1, found \(value)",
                              at: dim.range, help: help))
            }
        }
        if let filters = dims[2].value, filters < 1 {
            report(.error("parse.zero-size", "a convolution needs at least one filter", at: dims[2].range,
                          help: ParserState.filterHelp))
        }
        let options = try parseOptions(allowed: [.stride, .padding, .activation], layer: "conv")
        let decl = ConvDecl(kernelHeight: dims[0].value ?? 1, kernelWidth: dims[1].value ?? 1,
                            filters: dims[2].value ?? 1, stride: options.stride?.value ?? 1,
                            padding: options.padding?.value ?? .same,
                            activation: options.activation?.value ?? .linear)
        return (.conv(decl), options.activation?.range)
    }

    /// pool = ( "maxpool" | "avgpool" ) INT [ "stride" INT ]
    mutating func parsePool() throws(Recovery) -> PoolDecl {
        let help = "write the pooling window size, e.g. maxpool 2"
        let size = try parseInteger("pool size", help: help)
        if let value = size.value, value < 1 {
            report(.error("parse.zero-size", "pool size must be at least 1, found \(value)", at: size.range, help: help))
        }
        let options = try parseOptions(allowed: [.stride], layer: "pooling")
        return PoolDecl(size: size.value ?? 1, stride: options.stride?.value ?? nil)
    }

    /// dense = "dense" INT [ activation ]
    mutating func parseDense() throws(Recovery) -> (LayerKind, SourceRange?) {
        let help = "write the number of units, e.g. dense 5 softmax"
        let units = try parseInteger("unit count", help: help)
        if let value = units.value, value < 1 {
            report(.error("parse.zero-size", "a dense layer needs at least one unit, found \(value)",
                          at: units.range, help: help))
        }
        let options = try parseOptions(allowed: [.activation], layer: "dense")
        let decl = DenseDecl(units: units.value ?? 1, activation: options.activation?.value ?? .linear)
        return (.dense(decl), options.activation?.range)
    }

    /// dropout = "dropout" NUMBER        (0 <= rate < 1)
    mutating func parseDropout() throws(Recovery) -> LayerKind {
        let help = "write the fraction of units to drop, between 0 and 1, e.g. dropout 0.5"
        let rate = try parseReal("dropout rate", help: help)
        if let value = rate.value, !(value >= 0 && value < 1) {
            report(.error("parse.out-of-range",
                          "dropout rate must be at least 0 and below 1, found \(text(rate.range))",
                          at: rate.range, help: help))
        }
        try parseOptions(allowed: [], layer: "dropout")
        return .dropout(rate: rate.value ?? 0)
    }

    /// activation = "relu" | "softmax" | "sigmoid" | "tanh" | "linear"
    ///
    /// Parses the options after a layer's numbers, in any order, each at most once. Stops at the
    /// first token that is not a word (or at the next statement's keyword), leaving it to the
    /// trailing-garbage check.
    @discardableResult
    mutating func parseOptions(allowed: AllowedOptions, layer: String) throws(Recovery) -> LayerOptions {
        var options = LayerOptions()
        while !atStatementEnd {
            let token = current
            let word = text(token)
            switch token.kind {
            case .keyword(.stride) where allowed.contains(.stride):
                advance()
                let stride = try parseInteger("stride", help: "write the step in pixels, e.g. stride 2")
                if let first = options.stride {
                    duplicate("stride", token, first: first.range)
                } else {
                    options.stride = Spanned(stride.value, token.range.union(stride.range))
                }
                if let value = stride.value, value < 1 {
                    report(.error("parse.zero-stride", "stride must be at least 1, found \(value)",
                                  at: stride.range, help: "a stride of 1 moves one pixel at a time"))
                }
            case .keyword(.padding) where allowed.contains(.padding):
                advance()
                let value = current
                guard case .keyword(let k) = value.kind, let padding = Padding(rawValue: k.rawValue) else {
                    if isWord(value) {
                        advance()
                        report(.error("parse.unknown-padding", "unknown padding '\(text(value))'", at: value.range,
                                      help: Suggestion.help(for: text(value), among: ["same", "valid"],
                                                            otherwise: "padding is 'same' or 'valid'")))
                        continue
                    }
                    throw expected("'same' or 'valid'", help: "padding is 'same' or 'valid'")
                }
                advance()
                if let first = options.padding {
                    duplicate("padding", token, first: first.range)
                } else {
                    options.padding = Spanned(padding, token.range.union(value.range))
                }
            case .keyword(let k) where k.activation != nil && allowed.contains(.activation):
                advance()
                if let first = options.activation {
                    report(.error("parse.duplicate-option", "a layer has one activation, but this one has two",
                                  at: token.range, help: "keep either '\(text(first.range))' or '\(word)'",
                                  notes: [DiagnosticNote("the first activation is here", at: first.range)]))
                } else {
                    options.activation = Spanned(k.activation!, token.range)
                }
            case .keyword(let k) where (k.activation != nil || k == .stride || k == .padding):
                advance()
                let what = k.activation != nil ? "an activation" : "a \(k.rawValue)"
                report(.error("parse.option-not-allowed", "\(layer) layers take no \(k.activation != nil ? "activation" : k.rawValue)",
                              at: token.range,
                              help: k.activation != nil
                                ? "put the activation on the conv or dense layer before it, or remove '\(word)'"
                                : "remove '\(word)'; \(layer) layers do not have \(what)"))
                throw Recovery()
            case .identifier, .keyword:
                if case .keyword(let k) = token.kind, k.isStatementStart { return options }
                var candidates: [String] = []
                if allowed.contains(.stride) { candidates.append("stride") }
                if allowed.contains(.padding) { candidates.append("padding") }
                let activations = allowed.contains(.activation) ? Activation.allCases.map(\.rawValue) : []
                guard let guess = Suggestion.closest(to: word, among: candidates + activations) else {
                    if allowed.isEmpty { return options }
                    advance()
                    report(.error("parse.unknown-option", "unknown option '\(Lexer.printable(word))' for a \(layer) layer",
                                  at: token.range, help: optionsHelp(allowed, layer: layer)))
                    throw Recovery()
                }
                advance()
                let isActivation = activations.contains(guess)
                report(.error(isActivation ? "parse.unknown-activation" : "parse.unknown-option",
                              "unknown \(isActivation ? "activation" : "option") '\(Lexer.printable(word))'",
                              at: token.range, help: Suggestion.didYouMean(guess, for: word)))
                // The rest of the statement depends on what was meant; skip it rather than guess.
                throw Recovery()
            default:
                return options
            }
        }
        return options
    }

    private mutating func duplicate(_ name: String, _ token: Token, first: SourceRange) {
        report(.error("parse.duplicate-option", "\(name) is given twice", at: token.range,
                      help: "keep one \(name)", notes: [DiagnosticNote("the first \(name) is here", at: first)]))
    }

    private func optionsHelp(_ allowed: AllowedOptions, layer: String) -> String {
        var parts: [String] = []
        if allowed.contains(.stride) { parts.append("stride N") }
        if allowed.contains(.padding) { parts.append("padding same|valid") }
        if allowed.contains(.activation) { parts.append("an activation (relu, softmax, sigmoid, tanh, linear)") }
        let list = parts.count > 1 ? parts.dropLast().joined(separator: ", ") + " and " + parts.last! : parts.joined()
        return "a \(layer) layer accepts " + list
    }
}
