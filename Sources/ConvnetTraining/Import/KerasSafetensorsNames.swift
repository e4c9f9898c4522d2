import ConvnetInterface
import ConvnetSupport

/// Weights-only safetensors with Keras names, as a Keras user writes them with the `safetensors`
/// package: `{f"{layer.name}/{w.name}": w.numpy()}` gives `conv2d/kernel`, and Keras 3's
/// `variable.path` gives the same names under the model's name (`sequential/conv2d/kernel`).
enum KerasSafetensorsNames {
    /// The model's weights from `file`, names normalised, checked by `WeightsFit`.
    static func parameters(of file: SafetensorsFile, path: String,
                           expected: [ParameterInfo]) throws(WeightsImportError) -> [String: CheckpointTensor] {
        let names = normalised(file.names, expected: Set(expected.map(\.name)))
        var found: [WeightsFit.Found] = []
        var tensors: [String: CheckpointTensor] = [:]
        for (tensor, name) in zip(file.tensors, names) {
            if let values = tensor.floats {
                found.append(WeightsFit.Found(name: name, shape: tensor.shape))
                tensors[name] = CheckpointTensor(shape: tensor.shape, values: values)
            } else {
                found.append(WeightsFit.Found(name: name, shape: tensor.shape,
                                              unusable: "it is \(tensor.dtype.rawValue)"))
            }
        }
        try WeightsFit.check(expected: expected, found: found, file: path)
        return tensors
    }

    /// `names` as convnetc names: unchanged when any of them is a model weight's name, else
    /// without a first path component they all share (Keras 3's model name), when that makes
    /// them `layer/variable`.
    static func normalised(_ names: [String], expected: Set<String>) -> [String] {
        guard !names.contains(where: expected.contains) else { return names }
        let firsts = Set(names.map { $0.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "" })
        guard firsts.count == 1, let prefix = firsts.first, !prefix.isEmpty,
              names.allSatisfy({ $0.hasPrefix(prefix + "/") && $0.split(separator: "/").count >= 3 })
        else { return names }
        return names.map { String($0.dropFirst(prefix.count + 1)) }
    }

    /// The `class_names` metadata when it is a JSON list of strings, else none.
    static func classNames(in metadata: [String: String]) -> [String] {
        guard let text = metadata["class_names"], case .array(let items)? = try? JSONParser.parse(text) else { return [] }
        let names = items.compactMap { item -> String? in if case .string(let s) = item { s } else { nil } }
        return names.count == items.count ? names : []
    }
}
