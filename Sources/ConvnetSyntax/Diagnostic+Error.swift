/// A diagnostic can be the failure of a `Result` (e.g. `SourceLoader.load`) or be thrown by the
/// driver; it is already `Sendable`, so this adds no new requirement.
extension Diagnostic: Error {}
