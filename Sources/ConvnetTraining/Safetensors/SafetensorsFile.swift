/// The contents of a safetensors file: its tensors in file (offset) order and its string metadata.
public struct SafetensorsFile: Equatable, Sendable {
    /// Tensors in the order their data appears in the file.
    public var tensors: [SafetensorsTensor]
    /// The `__metadata__` map (empty when the file has none).
    public var metadata: [String: String]

    public init(tensors: [SafetensorsTensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`, if any.
    public func tensor(named name: String) -> SafetensorsTensor? {
        tensors.first { $0.name == name }
    }

    /// Tensor names in file order.
    public var names: [String] { tensors.map(\.name) }
}
