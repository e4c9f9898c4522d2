/// The reserved words of the language. The lexer turns a word into `.keyword` when it is in this
/// table; everything else is an `.identifier` that the parser diagnoses with "did you mean".
/// `x` (the dimension separator in `3x3x32`) is deliberately not a keyword: the lexer only treats
/// it as `.cross` right after a number.
public enum Keyword: String, CaseIterable, Hashable, Sendable {
    // Statements.
    case input, conv, maxpool, avgpool, gap, flatten, dense, dropout, batchnorm, train
    case activation, sepconv, dwconv
    // Graph structure: block definitions, merges and their branches.
    case block, concat, add, branch, residual
    // Layer options and their values.
    case stride, padding, same, valid, multiplier, epsilon, bias, off
    // Activations.
    case relu, softmax, sigmoid, tanh, linear
    // Keys of the `train { ... }` block.
    case data, validation, batch, epochs, optimizer, schedule, seed, augment
    case validationData = "validation_data"
    case labelSmoothing = "label_smoothing"
    // Values and sub-options inside the train block.
    case adam, sgd, lr, momentum, constant, cosine, exponential, flip, crop
    case brightness, contrast, saturation, zoom, ramp
    case adamw, nesterov
    case weightDecay = "weight_decay"

    /// Looks a word up in the table; `nil` for identifiers.
    public init?(word: String) {
        self.init(rawValue: word)
    }

    /// The layer statements, in the order the help text lists them.
    public static let layers: [Keyword] = LayerKeyword.allCases.map { Keyword(rawValue: $0.rawValue)! }

    /// The statements that build the graph's structure rather than one layer.
    public static let structure: [Keyword] = [.block, .concat, .add, .branch, .residual]

    /// The keys accepted inside `train { ... }`.
    public static let trainKeys: [Keyword] = [
        .data, .validationData, .validation, .batch, .epochs, .optimizer, .schedule, .seed, .augment, .labelSmoothing,
    ]

    /// Words that may start a top-level statement.
    public static let statementStarts: [Keyword] = [.input] + layers + structure + [.train]

    public var isLayer: Bool { Keyword.layers.contains(self) }
    public var isTrainKey: Bool { Keyword.trainKeys.contains(self) }
    public var isStatementStart: Bool { Keyword.statementStarts.contains(self) }

    /// The layer statement this keyword starts, if any.
    public var layer: LayerKeyword? { LayerKeyword(rawValue: rawValue) }

    /// The activation this keyword names, if any.
    public var activation: Activation? { Activation(rawValue: rawValue) }
}

/// The keywords that start one layer statement: the parser switches over these exhaustively, so
/// a new layer keyword cannot fall into another layer's rule.
public enum LayerKeyword: String, CaseIterable, Hashable, Sendable {
    case conv, sepconv, dwconv, maxpool, avgpool, gap, flatten, dense, dropout, batchnorm, activation
}
