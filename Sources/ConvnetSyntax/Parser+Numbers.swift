/// Numbers and dimension literals (`3x3x32`), with the checks every number shares: negative,
/// past Int32.max, or a decimal where a whole number is needed.
extension ParserState {
    /// The largest size the language accepts; anything past it is "too large".
    static let sizeLimit = Int(Int32.max)

    /// dims = INT "x" INT { "x" INT }   (the number of parts is given by `names`)
    ///
    /// Returns one entry per name; a value is nil when the number was reported as wrong.
    mutating func parseDimensions(_ names: [String], help: String) throws(Recovery) -> [Spanned<Int?>] {
        var parts: [Spanned<Int?>] = []
        for (i, name) in names.enumerated() {
            if i > 0 {
                if current.kind == .cross || (current.kind == .identifier && text(current) == "x") {
                    advance()
                } else {
                    throw expected(name, id: "parse.expected-number",
                                   help: name == "filter count" ? ParserState.filterHelp : help)
                }
            }
            parts.append(try parseInteger(name, help: name == "filter count" ? ParserState.filterHelp : help))
        }
        return parts
    }

    static let filterHelp = "write the filter count as the last number, e.g. conv 3x3x32"

    /// A whole number. Reports (and returns nil for) negative, decimal or too large numbers; a
    /// missing number is a syntax error and throws.
    mutating func parseInteger(_ what: String, help: String) throws(Recovery) -> Spanned<Int?> {
        let token = current
        switch token.kind {
        case .placeholder:
            return Spanned(nil, parsePlaceholder(what))
        case .integer:
            advance()
            let digits = text(token)
            guard let value = Int(digits), value <= ParserState.sizeLimit else {
                report(.error("parse.number-too-large",
                              "\(what) \(digits) is too large (the limit is \(ParserState.sizeLimit))",
                              at: token.range, help: help))
                return Spanned(nil, token.range)
            }
            return Spanned(value, token.range)
        case .decimal:
            advance()
            report(.error("parse.expected-integer", "\(what) must be a whole number, found \(text(token))",
                          at: token.range, help: help))
            return Spanned(nil, token.range)
        case .minus where isNumber(peek(1)) && peek(1).range.start == token.range.end:
            advance()
            let number = advance()
            let range = token.range.union(number.range)
            report(.error("parse.negative-number", "\(what) cannot be negative, found \(text(range))",
                          at: range, help: help))
            return Spanned(nil, range)
        default:
            throw expected(what, id: "parse.expected-number", help: help)
        }
    }

    /// A number that may be written as a whole number or a decimal, and may be negative (the
    /// caller checks the range and names the rule). Nil when it was too large to represent.
    mutating func parseReal(_ what: String, help: String) throws(Recovery) -> Spanned<Double?> {
        let token = current
        if token.kind == .placeholder { return Spanned(nil, parsePlaceholder(what)) }
        var negative = false
        var range = token.range
        if token.kind == .minus, isNumber(peek(1)), peek(1).range.start == token.range.end {
            advance()
            negative = true
        }
        let number = current
        guard isNumber(number) else { throw expected(what, id: "parse.expected-number", help: help) }
        advance()
        range = range.union(number.range)
        guard let magnitude = Double(text(number)), magnitude.isFinite else {
            report(.error("parse.number-too-large", "\(what) \(text(range)) is too large", at: range, help: help))
            return Spanned(nil, range)
        }
        return Spanned(negative ? -magnitude : magnitude, range)
    }

    /// `{name}` where a number goes: recorded for substitution when the block is expanded. It
    /// must stand inside a block definition, name one of its parameters, and stand for a layer's
    /// number (not the input size or a training setting). The number itself reads as nil, so no
    /// range check runs on it here; the semantic pass checks the substituted value.
    mutating func parsePlaceholder(_ what: String, isArgument: Bool = false) -> SourceRange {
        let token = advance()
        let name = String(text(token).dropFirst().dropLast())
        guard let parameters = blockParameters else {
            report(.error("parse.placeholder-outside-block", "'{\(name)}' stands for a block argument, but this is not inside a block",
                          at: token.range,
                          help: "write a number here, or define a block with a parameter: block NAME(\(name)) { ... }"))
            return token.range
        }
        guard parameters.contains(name) else {
            report(.error("parse.unknown-parameter", "the block has no parameter '\(name)'", at: token.range,
                          help: Suggestion.help(for: name, among: parameters,
                                                otherwise: parameters.isEmpty ? "the block has no parameters; add '\(name)' to its list, e.g. block NAME(\(name))"
                                                                              : "its parameters are \(parameters.joined(separator: ", "))")))
            return token.range
        }
        if isArgument { return token.range }
        guard let slot = Placeholder.Slot(rawValue: what) else {
            report(.error("parse.placeholder-not-allowed", "a block argument cannot stand for the \(what)", at: token.range,
                          help: "write the \(what) as a number"))
            return token.range
        }
        statementPlaceholders.append(Placeholder(slot: slot, name: name, range: token.range))
        return token.range
    }

    func isNumber(_ token: Token) -> Bool { token.kind == .integer || token.kind == .decimal }

    /// Formats a number the way the user most likely wrote it: `3` not `3.0`.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
