/// A compiled IR program: a `CompiledProgram` (the runtime's contract, in ConvnetInterface)
/// that also keeps the program it was compiled from. The interface the trainer reads is the
/// program's own, so a backend only implements the storage and `run()`.
public protocol ExecutableProgram: CompiledProgram {
    /// The program as built (before any backend optimisation), for names, shapes and roles.
    var program: IRProgram { get }
}

extension ExecutableProgram {
    public var interface: ProgramInterface { program.interface }
}

/// Something that compiles IR programs: each backend applies its own optimisation pipeline.
public protocol ProgramCompiler: Sendable {
    /// A short name for messages and cache keys (`cpu`, `tpu`, `reference`).
    var name: String { get }
    func compile(_ program: IRProgram) throws -> any ExecutableProgram
}
