import ConvnetInterface

/// Keras 3's `.weights.h5` (`model.save_weights`), as Keras 3.x writes it (checked with
/// TensorFlow 2.21 / Keras 3, `scripts/make-keras-fixtures.py`):
/// ```
/// layers/conv2d/vars/0     (3, 3, 3, 16) float32   Conv2D kernel
/// layers/conv2d/vars/1     (16,)                   Conv2D bias
/// layers/batch_normalization/vars/0..3             gamma, beta, moving_mean, moving_variance
/// layers/dense/vars/0, 1                           Dense kernel (in, out), bias
/// layers/depthwise_conv2d/vars/0, 1                DepthwiseConv2D kernel (KH, KW, Cin, M), bias
/// layers/separable_conv2d/vars/0..2                depthwise_kernel, pointwise_kernel, bias
/// layers/conv2d_1/vars/0                           a Conv2D with use_bias=False: the kernel only
/// layers/max_pooling2d/vars                        (empty: no weights)
/// layers/input_layer/vars                          (functional models only; empty)
/// optimizer/vars/...                               (after fit; not weights, ignored)
/// vars                                             (the model's own; empty)
/// ```
/// The group under `layers/` is not the layer's `name`: Keras names it from the class
/// (`Conv2D` -> `conv2d`) with a counter per class in `model.layers` order (`conv2d`,
/// `conv2d_1`...), which is exactly how convnetc names layers, so `layers/<convnetc name>` is the
/// group `load_weights` would read. Index `i` under `vars` is the layer's i-th weight in Keras'
/// order, which `IRBuilder.parameters(of:)` lists in the same order (and `ModelDescription`
/// keeps, each `ParameterInfo` naming its layer): that function is the one place deciding which
/// tensor each index is.
enum KerasWeightsH5 {
    /// The model's weights from the file at `path`, checked by `WeightsFit`.
    static func read(_ path: String, expected: [ParameterInfo]) throws(WeightsImportError) -> [String: CheckpointTensor] {
        var nameOfLocation: [String: String] = [:]
        var locationOfName: [String: String] = [:]
        var indexInLayer: [String: Int] = [:]
        for p in expected {
            let index = indexInLayer[p.layer, default: 0]
            indexInLayer[p.layer] = index + 1
            let location = "layers/\(p.layer)/vars/\(index)"
            nameOfLocation[location] = p.name
            locationOfName[p.name] = location
        }
        // Read in a child process (`HDF5ChildReader`): a damaged file can crash libhdf5.
        let listing = try HDF5ChildReader.read(path, group: "layers", wanted: Dictionary(expected.map {
            (locationOfName[$0.name]!, $0.shape)
        }, uniquingKeysWith: { first, _ in first }))
        let datasets = listing.datasets
        if datasets.isEmpty && !expected.isEmpty {
            throw WeightsImportError(file: path, message: "an HDF5 file with no datasets under 'layers/': not a Keras 3 "
                + "`.weights.h5`\nhelp: save the weights with Keras 3's `model.save_weights(\"model.weights.h5\")` "
                + "(Keras 2's `.h5` layout is not read)")
        }
        let found = datasets.map { d in
            WeightsFit.Found(name: nameOfLocation[d.path] ?? d.path, shape: d.shape,
                             unusable: d.isFloat ? nil : "it is not floating point")
        }
        try WeightsFit.check(expected: expected, found: found, file: path, location: { locationOfName[$0] })
        var tensors: [String: CheckpointTensor] = [:]
        for (d, f) in zip(datasets, found) where locationOfName[f.name] != nil {
            guard let values = listing.values[d.path] else {
                throw WeightsImportError(file: path, message: "cannot read the values of '\(d.path)' (truncated or corrupt)")
            }
            tensors[f.name] = CheckpointTensor(shape: d.shape, values: values)
        }
        return tensors
    }
}
