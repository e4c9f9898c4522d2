import ConvnetSupport

/// `convnetc summary`: Keras' classic `model.summary()` table, with multiply-accumulate and
/// activation-memory columns added (the two figures Keras users keep asking for). A model that
/// branches gets Keras' functional-model "Connected to" column, one input per line.
public enum Summary {
    /// Keras' classic widths (29, 26, 10), widened to fit the longest cell so nothing is cut.
    static func columns(_ rows: [[String]]) -> [Int] {
        let minimum = [29, 26, 12, 17, 12, 20]
        return rows[0].indices.map { i in max(minimum[i], (rows.map { $0[i].count }.max() ?? 0) + 2) }
    }

    public static func table(_ model: CheckedModel, name: String) -> String {
        let connected = !model.isSequential
        var header = ["Layer (type)", "Output Shape", "Param #", "MACs", "Activations"]
        if connected { header.append("Connected to") }
        // Each layer is one row, plus one continuation row per further input.
        let body: [[[String]]] = model.layers.map { layer in
            var first = ["\(layer.name) (\(layer.kerasType))", layer.outputShape.kerasDescription,
                         NumberFormat.grouped(layer.params), NumberFormat.grouped(layer.macs),
                         NumberFormat.bytes(layer.activationBytes)]
            guard connected else { return [first] }
            let inputs = layer.inputs.map { model.name(of: $0) + "[0][0]" }
            first.append(inputs[0])
            return [first] + inputs.dropFirst().map { ["", "", "", "", "", $0] }
        }
        let columns = columns([header] + body.flatMap { $0 })
        let width = columns.reduce(0, +)
        let thin = String(repeating: "_", count: width)
        let thick = String(repeating: "=", count: width)
        var lines: [String] = []
        let origin = switch model.inputSource {
        case .file: "from the file"
        case .flag: "from --input"
        case .defaultShape: "the default; set it with `input HxWxC` or --input"
        }
        lines.append("Model: \"\(name)\"  input \(model.inputShape.kerasDescription) (\(origin))")
        lines.append(thin)
        lines.append(row(header, columns))
        lines.append(thick)
        for (i, rows) in body.enumerated() {
            for cells in rows { lines.append(row(cells, columns)) }
            lines.append(i + 1 < body.count ? thin : thick)
        }
        lines.append("Total params: \(NumberFormat.grouped(model.totalParams))")
        lines.append("Trainable params: \(NumberFormat.grouped(model.trainableParams))")
        lines.append("Non-trainable params: \(NumberFormat.grouped(model.nonTrainableParams))")
        lines.append("Total MACs: \(NumberFormat.grouped(model.totalMACs)) per image, forward (\(NumberFormat.si(Double(model.totalMACs)))MAC)")
        lines.append("Activations: \(NumberFormat.bytes(model.totalActivationBytes)) per image (fp32 layer outputs)")
        lines.append(thin)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ cells: [String], _ columns: [Int]) -> String {
        var out = ""
        for (cell, width) in zip(cells, columns) {
            out += NumberFormat.padRight(cell, width)
        }
        return String(out.reversed().drop(while: { $0 == " " }).reversed())
    }

    /// The `--format json` contract:
    /// `{"input": [H, W, C], "layers": [{"name", "type", "output_shape": [...], "params", "macs",
    ///   "inputs": [names]}], "total_params", "trainable_params", "non_trainable_params", "total_macs"}`
    /// (`layers` excludes the input, as Keras does; `inputs` names `"input"` for the images; extra
    /// fields follow the contract's; `called_from` lists the lines of the block calls that made
    /// a layer, outermost first).
    public static func json(_ model: CheckedModel) -> JSON {
        let source = model.file.source
        return .object([
            ("input", .array(model.inputShape.dims.map { .int($0) })),
            ("input_source", .string(model.inputSource.rawValue)),
            ("layers", .array(model.layers.map { layer in
                .object([
                    ("name", .string(layer.name)),
                    ("type", .string(layer.kerasType)),
                    ("output_shape", .array(layer.outputShape.dims.map { .int($0) })),
                    ("params", .int(layer.params)),
                    ("macs", .int(layer.macs)),
                    ("trainable_params", .int(layer.trainableParams)),
                    ("activation_bytes", .int(layer.activationBytes)),
                    ("line", .int(source.location(of: layer.decl.range.start).line)),
                    ("source", .string(layer.kind.sourceForm)),
                    ("inputs", .array(layer.inputs.map { .string(model.name(of: $0)) })),
                ] + (layer.callSites.isEmpty ? [] : [
                    ("called_from", .array(layer.callSites.map { .int(source.location(of: $0.start).line) })),
                ]))
            })),
            ("total_params", .int(model.totalParams)),
            ("trainable_params", .int(model.trainableParams)),
            ("non_trainable_params", .int(model.nonTrainableParams)),
            ("total_macs", .int(model.totalMACs)),
            ("total_activation_bytes", .int(model.totalActivationBytes)),
        ])
    }
}
