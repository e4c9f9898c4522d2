import ConvnetInterface

/// The one check every weight file passes before its values reach a model, whatever its format
/// (checkpoint, Keras safetensors, Keras HDF5) and whatever loads it (`predict`, `evaluate`,
/// `--init-from`, `--resume`): every weight the model has is present with the model's shape,
/// nothing else is, and every value is a finite number. All problems are reported together, so
/// one run shows everything to fix.
enum WeightsFit {
    /// A tensor as found in a file: its convnetc name when it maps to one (else the file's own
    /// name), and its shape.
    struct Found {
        var name: String
        var shape: [Int]
        /// Why it cannot be used whatever its shape (an integer dtype), if so.
        var unusable: String? = nil
    }

    /// One line per missing, misshapen, unusable or extra tensor, in the model's weight order
    /// then the file's order; empty when the file fits. `location` names where a weight would be
    /// in the file when that differs from its name (HDF5's `layers/conv2d/vars/0`).
    static func problems(expected: [ParameterInfo], found: [Found],
                         location: (String) -> String? = { _ in nil }) -> [String] {
        var byName: [String: Found] = [:]
        for f in found where byName[f.name] == nil { byName[f.name] = f }
        let wanted = Set(expected.map(\.name))
        var lines: [String] = []
        for p in expected {
            let at = location(p.name).map { " (\($0))" } ?? ""
            guard let f = byName[p.name] else {
                lines.append("missing \(p.name)\(at): the model needs shape \(shapeText(p.shape))")
                continue
            }
            if let why = f.unusable {
                lines.append("unusable \(p.name)\(at): \(why); the model needs float32 of shape \(shapeText(p.shape))")
            } else if f.shape != p.shape {
                lines.append("misshapen \(p.name)\(at): shape \(shapeText(f.shape)) in the file, the model needs \(shapeText(p.shape))")
            }
        }
        for f in found where !wanted.contains(f.name) {
            lines.append("extra \(f.name): shape \(shapeText(f.shape)), the model has no such weight")
        }
        return lines
    }

    /// Throws naming every problem `problems` found.
    static func check(expected: [ParameterInfo], found: [Found], file: String,
                      location: (String) -> String? = { _ in nil }) throws(WeightsImportError) {
        let lines = problems(expected: expected, found: found, location: location)
        guard !lines.isEmpty else { return }
        throw WeightsImportError(file: file, message: "the tensors do not fit the model ("
            + (lines.count == 1 ? "1 problem" : "\(lines.count) problems") + "):\n"
            + lines.map { "  " + $0 }.joined(separator: "\n")
            + "\nhelp: weights load into the model they were trained with; `convnetc summary MODEL` lists its layers and shapes")
    }

    /// The first of `names` (checked in that order) whose values hold a NaN or an infinity,
    /// described by `FiniteWeights` (the one rule for non-finite weights), or nil when all are finite.
    static func nonFinite(_ names: [String], values: (String) -> [Float]) -> String? {
        for name in names {
            if let bad = FiniteWeights.firstNonFinite([name: values(name)]) { return FiniteWeights.message(bad) }
        }
        return nil
    }

    /// `(3, 3, 3, 16)`, as Keras prints shapes; `()` for a scalar.
    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
