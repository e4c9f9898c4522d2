/// Layer statements and their options.
extension ParserState {
    /// Which options a layer accepts after its numbers.
    struct AllowedOptions: OptionSet {
        let rawValue: Int
        static let stride = AllowedOptions(rawValue: 1)
        static let padding = AllowedOptions(rawValue: 2)
        static let activation = AllowedOptions(rawValue: 4)
        static let multiplier = AllowedOptions(rawValue: 8)
        static let bias = AllowedOptions(rawValue: 16)
        static let momentum = AllowedOptions(rawValue: 32)
        static let epsilon = AllowedOptions(rawValue: 64)
    }

    /// The options written after a layer's numbers, each with where it was written.
    struct LayerOptions {
        var stride: Spanned<Int?>?
        var padding: Spanned<Padding>?
        var activation: Spanned<Activation>?
        var multiplier: Spanned<Int?>?
        var biasOff: SourceRange?
        var momentum: Spanned<Double?>?
        var epsilon: Spanned<Double?>?
    }

    /// layer = conv | sepconv | dwconv | pool | dense | dropout | batchnorm | "gap" | "flatten"
    ///       | "activation" activation
    ///
    /// A layer with any error in its statement is not returned (left out of the tree).
    mutating func parseLayer(_ keyword: LayerKeyword) -> LayerDecl? {
        let keywordToken = advance()
        if firstLayerKeyword == nil { firstLayerKeyword = keywordToken.range }
        statementPlaceholders = []
        do {
            var activationRange: SourceRange?
            let kind: LayerKind
            switch keyword {
            case .conv: (kind, activationRange) = try parseConv()
            case .sepconv: (kind, activationRange) = try parseSeparableConv()
            case .dwconv: (kind, activationRange) = try parseDepthwiseConv()
            case .maxpool: kind = .maxPool(try parsePool())
            case .avgpool: kind = .avgPool(try parsePool())
            case .dense: (kind, activationRange) = try parseDense()
            case .dropout: kind = try parseDropout()
            case .gap: kind = .globalAveragePool; try parseOptions(allowed: [], layer: "gap")
            case .flatten: kind = .flatten; try parseOptions(allowed: [], layer: "flatten")
            case .batchnorm: kind = .batchNorm(try parseBatchNorm())
            case .activation: (kind, activationRange) = try parseActivationLayer()
            }
            let squareHelp = "pooling windows are square: write '\(keyword.rawValue) N' for an NxN window"
            try expectStatementEnd(help: (keyword == .maxpool || keyword == .avgpool) && current.kind == .cross
                                   ? squareHelp : nil)
            if !statementFailed {
                return LayerDecl(kind: kind, range: SourceRange(keywordToken.range.start, lastEnd),
                                 keywordRange: keywordToken.range, activationRange: activationRange,
                                 placeholders: statementPlaceholders)
            }
        } catch {
            synchronize()
        }
        return nil
    }

    /// conv       = "conv" dim "x" dim "x" dim { convOption }
    /// convOption = "stride" dim | "padding" ( "same" | "valid" ) | "bias" "off" | activation
    mutating func parseConv() throws(Recovery) -> (LayerKind, SourceRange?) {
        let help = "write the kernel size and filter count as KHxKWxF, e.g. conv 3x3x32"
        let dims = try parseDimensions(["kernel height", "kernel width", "filter count"], help: help)
        checkKernel(dims, help: help)
        if let filters = dims[2].value, filters < 1 {
            report(.error("parse.zero-size", "a convolution needs at least one filter", at: dims[2].range,
                          help: ParserState.filterHelp))
        }
        let options = try parseOptions(allowed: [.stride, .padding, .bias, .activation], layer: "conv")
        let decl = ConvDecl(kernelHeight: dims[0].value ?? 1, kernelWidth: dims[1].value ?? 1,
                            filters: dims[2].value ?? 1, stride: options.stride?.value ?? 1,
                            padding: options.padding?.value ?? .same,
                            activation: options.activation?.value ?? .linear,
                            useBias: options.biasOff == nil)
        return (.conv(decl), options.activation?.range)
    }

    /// sepconv = "sepconv" dim "x" dim "x" dim { sepOption }
    /// sepOption = "stride" dim | "multiplier" dim | "padding" ( "same" | "valid" ) | activation
    mutating func parseSeparableConv() throws(Recovery) -> (LayerKind, SourceRange?) {
        let help = "write the kernel size and filter count as KHxKWxF, e.g. sepconv 3x3x64"
        let kernel = try parseDimensions(["kernel height", "kernel width"], help: help)
        checkKernel(kernel, help: help)
        guard current.kind == .cross || (current.kind == .identifier && text(current) == "x") else {
            report(.error("parse.sepconv-needs-filters", "a separable convolution needs a filter count",
                          at: SourceRange(statementStart, lastEnd),
                          help: "write the filter count of its 1x1 convolution as the last number, e.g. sepconv \(text(kernel[0].range))x\(text(kernel[1].range))x64; for a depthwise convolution alone write dwconv"))
            throw Recovery()
        }
        advance()
        let filters = try parseInteger("filter count", help: "write the filter count as the last number, e.g. sepconv 3x3x64")
        if let f = filters.value, f < 1 {
            report(.error("parse.zero-size", "a convolution needs at least one filter", at: filters.range,
                          help: "write the filter count as the last number, e.g. sepconv 3x3x64"))
        }
        let options = try parseOptions(allowed: [.stride, .multiplier, .padding, .activation], layer: "sepconv")
        let decl = SeparableConvDecl(kernelHeight: kernel[0].value ?? 1, kernelWidth: kernel[1].value ?? 1,
                                     filters: filters.value ?? 1, stride: options.stride?.value ?? 1,
                                     multiplier: options.multiplier?.value ?? 1,
                                     padding: options.padding?.value ?? .same,
                                     activation: options.activation?.value ?? .linear)
        return (.separableConv(decl), options.activation?.range)
    }

    /// dwconv = "dwconv" dim "x" dim { dwOption }      (no filter count)
    /// dwOption = "stride" dim | "multiplier" dim | "padding" ( "same" | "valid" ) | activation
    mutating func parseDepthwiseConv() throws(Recovery) -> (LayerKind, SourceRange?) {
        let help = "write the kernel size as KHxKW, e.g. dwconv 3x3"
        let kernel = try parseDimensions(["kernel height", "kernel width"], help: help)
        checkKernel(kernel, help: help)
        if current.kind == .cross || (current.kind == .identifier && text(current) == "x") {
            let cross = advance()
            var range = cross.range
            if isNumber(current) || current.kind == .placeholder { range = range.union(advance().range) }
            report(.error("parse.dwconv-filter-count", "a depthwise convolution has no filter count",
                          at: range,
                          help: "write dwconv \(text(kernel[0].range))x\(text(kernel[1].range)) (each input channel gets `multiplier` filters, default 1), or sepconv \(text(SourceRange(kernel[0].range.start, lastEnd))) for a depthwise then a 1x1 convolution to that many filters"))
            throw Recovery()
        }
        let options = try parseOptions(allowed: [.stride, .multiplier, .padding, .activation], layer: "dwconv")
        let decl = DepthwiseConvDecl(kernelHeight: kernel[0].value ?? 1, kernelWidth: kernel[1].value ?? 1,
                                     stride: options.stride?.value ?? 1,
                                     multiplier: options.multiplier?.value ?? 1,
                                     padding: options.padding?.value ?? .same,
                                     activation: options.activation?.value ?? .linear)
        return (.depthwiseConv(decl), options.activation?.range)
    }

    private mutating func checkKernel(_ dims: [Spanned<Int?>], help: String) {
        for (name, dim) in zip(["height", "width"], dims) {
            if let value = dim.value, value < 1 {
                report(.error("parse.zero-size", "a convolution kernel needs a \(name) of at least 1, found \(value)",
                              at: dim.range, help: help))
            }
        }
    }

    /// pool = ( "maxpool" | "avgpool" ) dim { "stride" dim | "padding" ( "same" | "valid" ) }
    mutating func parsePool() throws(Recovery) -> PoolDecl {
        let help = "write the pooling window size, e.g. maxpool 2"
        let size = try parseInteger("pool size", help: help)
        if let value = size.value, value < 1 {
            report(.error("parse.zero-size", "pool size must be at least 1, found \(value)", at: size.range, help: help))
        }
        let sizePlaceholder = size.value == nil ? statementPlaceholders.last.flatMap { $0.slot == .poolSize ? $0 : nil } : nil
        let options = try parseOptions(allowed: [.stride, .padding], layer: "pooling")
        if let p = sizePlaceholder, options.stride == nil {
            // The stride defaults to the window size, so it stands for the same argument.
            statementPlaceholders.append(Placeholder(slot: .stride, name: p.name, range: p.range))
        }
        return PoolDecl(size: size.value ?? 1, stride: options.stride?.value ?? nil,
                        padding: options.padding?.value ?? .valid)
    }

    /// dense = "dense" dim [ activation ]
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

    /// batchnorm = "batchnorm" { "momentum" NUMBER | "epsilon" NUMBER }   (0 <= momentum < 1, epsilon > 0)
    mutating func parseBatchNorm() throws(Recovery) -> BatchNormDecl {
        let options = try parseOptions(allowed: [.momentum, .epsilon], layer: "batchnorm")
        return BatchNormDecl(momentum: options.momentum?.value ?? BatchNormDecl.defaultMomentum,
                             epsilon: options.epsilon?.value ?? BatchNormDecl.defaultEpsilon)
    }

    /// activationLayer = "activation" activation
    mutating func parseActivationLayer() throws(Recovery) -> (LayerKind, SourceRange?) {
        let token = current
        guard case .keyword(let k) = token.kind, let activation = k.activation else {
            if isWord(token) {
                advance()
                report(.error("parse.unknown-activation", "unknown activation '\(Lexer.printable(text(token)))'",
                              at: token.range,
                              help: Suggestion.help(for: text(token), among: Activation.allCases.map(\.rawValue),
                                                    otherwise: "an activation is relu, softmax, sigmoid, tanh or linear")))
                throw Recovery()
            }
            throw expected("an activation", help: "write the function, e.g. activation relu")
        }
        advance()
        return (.activation(activation), token.range)
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
            case .keyword(.multiplier) where allowed.contains(.multiplier):
                advance()
                let help = "each input channel gets this many filters, e.g. multiplier 2 (default 1)"
                let value = try parseInteger("multiplier", help: help)
                if let first = options.multiplier {
                    duplicate("multiplier", token, first: first.range)
                } else {
                    options.multiplier = Spanned(value.value, token.range.union(value.range))
                }
                if let v = value.value, v < 1 {
                    report(.error("parse.out-of-range", "multiplier must be at least 1, found \(v)",
                                  at: value.range, help: help))
                }
            case .keyword(.bias) where allowed.contains(.bias):
                advance()
                guard current.kind == .keyword(.off) else {
                    throw expected("'off'", help: "a convolution has a bias unless you write 'bias off'")
                }
                let off = advance()
                if let first = options.biasOff {
                    duplicate("bias", token, first: first)
                } else {
                    options.biasOff = token.range.union(off.range)
                }
            case .keyword(.momentum) where allowed.contains(.momentum):
                advance()
                let help = "the moving statistics keep this share each step, at least 0 and below 1; Keras' default is 0.99, the codelab uses 0.9"
                let value = try parseReal("momentum", help: help)
                if let first = options.momentum {
                    duplicate("momentum", token, first: first.range)
                } else {
                    options.momentum = Spanned(value.value, token.range.union(value.range))
                }
                if let v = value.value, !(v >= 0 && v < 1) {
                    report(.error("parse.out-of-range", "momentum must be at least 0 and below 1, found \(text(value.range))",
                                  at: value.range, help: help))
                }
            case .keyword(.epsilon) where allowed.contains(.epsilon):
                advance()
                let help = "a small positive number added to the variance; Keras' default is 0.001"
                let value = try parseReal("epsilon", help: help)
                if let first = options.epsilon {
                    duplicate("epsilon", token, first: first.range)
                } else {
                    options.epsilon = Spanned(value.value, token.range.union(value.range))
                }
                if let v = value.value, !(v > 0) {
                    report(.error("parse.out-of-range", "epsilon must be above 0, found \(text(value.range))",
                                  at: value.range, help: help))
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
            case .keyword(let k) where k.activation != nil || ParserState.optionKeywords.contains(k):
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
                let candidates = ParserState.optionNames(allowed)
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

    /// The option keywords of layers (activations aside).
    static let optionKeywords: [Keyword] = [.stride, .padding, .multiplier, .bias, .momentum, .epsilon]

    /// The option words a layer accepts, for "did you mean".
    static func optionNames(_ allowed: AllowedOptions) -> [String] {
        let all: [(AllowedOptions, String)] = [(.stride, "stride"), (.padding, "padding"), (.multiplier, "multiplier"),
                                               (.bias, "bias"), (.momentum, "momentum"), (.epsilon, "epsilon")]
        return all.filter { allowed.contains($0.0) }.map(\.1)
    }

    private func optionsHelp(_ allowed: AllowedOptions, layer: String) -> String {
        var parts: [String] = []
        if allowed.contains(.stride) { parts.append("stride N") }
        if allowed.contains(.multiplier) { parts.append("multiplier M") }
        if allowed.contains(.padding) { parts.append("padding same|valid") }
        if allowed.contains(.bias) { parts.append("bias off") }
        if allowed.contains(.momentum) { parts.append("momentum M") }
        if allowed.contains(.epsilon) { parts.append("epsilon E") }
        if allowed.contains(.activation) { parts.append("an activation (relu, softmax, sigmoid, tanh, linear)") }
        let list = parts.count > 1 ? parts.dropLast().joined(separator: ", ") + " and " + parts.last! : parts.joined()
        return "a \(layer) layer accepts " + list
    }
}
