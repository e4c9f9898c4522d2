/// The reserved words of the language. The lexer turns a word into `.keyword` when it is in this
/// table; everything else is an `.identifier` that the parser diagnoses with "did you mean".
/// `x` (the dimension separator in `3x3x32`) is deliberately not a keyword: the lexer only treats
/// it as `.cross` right after a number.
public enum Keyword: String, CaseIterable, Hashable, Sendable {
    // Statements.
    case input, conv, maxpool, avgpool, gap, flatten, dense, dropout, batchnorm, train
    // Layer options and their values.
    case stride, padding, same, valid
    // Activations.
    case relu, softmax, sigmoid, tanh, linear
    // Keys of the `train { ... }` block.
    case data, validation, batch, epochs, optimizer, schedule, seed, augment
    case validationData = "validation_data"
    // Values and sub-options inside the train block.
    case adam, sgd, lr, momentum, constant, cosine, exponential, flip, crop

    /// Looks a word up in the table; `nil` for identifiers.
    public init?(word: String) {
        self.init(rawValue: word)
    }

    /// The layer statements, in the order the help text lists them.
    public static let layers: [Keyword] = [
        .conv, .maxpool, .avgpool, .gap, .flatten, .dense, .dropout, .batchnorm,
    ]

    /// The keys accepted inside `train { ... }`.
    public static let trainKeys: [Keyword] = [
        .data, .validationData, .validation, .batch, .epochs, .optimizer, .schedule, .seed, .augment,
    ]

    /// Words that may start a top-level statement.
    public static let statementStarts: [Keyword] = [.input] + layers + [.train]

    public var isLayer: Bool { Keyword.layers.contains(self) }
    public var isTrainKey: Bool { Keyword.trainKeys.contains(self) }
    public var isStatementStart: Bool { Keyword.statementStarts.contains(self) }

    /// The activation this keyword names, if any.
    public var activation: Activation? { Activation(rawValue: rawValue) }
}
