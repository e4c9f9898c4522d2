import ConvnetCPU
import ConvnetIR
import ConvnetSupport

/// The memory of one emulated training step, reserved (`MemoryBudget`) before any of it is
/// allocated: the emulator's own buffers (the global batch of images and labels, the reduced
/// moving statistics) and both compiled programs (the per-core gradient program and the update
/// program, each reserving its arena as it compiles). A shortfall anywhere is reported for the
/// whole step, in the terms the user controls: the global batch, a multiple of the cores.
struct TPUStepMemory {
    let split: DataParallelSplit
    /// What is held so far; it returns to the budget when the executable goes.
    private(set) var reservations: [MemoryBudget.Reservation] = []
    /// Bytes the programs compiled so far reserved (their reservations are their own).
    private var programBytes = 0.0

    init(split: DataParallelSplit) { self.split = split }

    var what: String {
        "the TPU emulator's training step at batch \(split.globalBatch) (\(split.perCoreBatch) per core on \(split.cores) cores)"
    }

    private var held: Double { reservations.reduce(programBytes) { $0 + Double($1.bytes) } }

    /// Reserves the emulator's own buffers.
    mutating func reserve(_ bytes: Double) throws(MemoryShortfall) {
        do {
            reservations.append(try MemoryBudget.reserve(bytes, for: what, advice: { _, _ in "" }))
        } catch {
            throw whole(error)
        }
    }

    /// Compiles one of the step's programs; its arena's shortfall becomes the whole step's.
    mutating func compile(_ body: () throws -> CPUExecutable) throws -> CPUExecutable {
        do {
            let executable = try body()
            programBytes += Double(executable.reservedBytes)
            return executable
        } catch let shortfall as MemoryShortfall {
            throw whole(shortfall)
        }
    }

    /// The shortfall of one part restated for the step: what the parts before it hold counts on
    /// both sides (needed and available), and the advice is a global batch that fits.
    private func whole(_ part: MemoryShortfall) -> MemoryShortfall {
        let needed = part.neededBytes + held, available = part.availableBytes + Int(held)
        return MemoryShortfall(what: what, neededBytes: needed, availableBytes: available, advice: advice(needed, available))
    }

    /// Memory grows with the global batch (the programs with the per-core batch, the buffers with
    /// the global one), so the batch that fits is proportional, rounded down to whole cores.
    func advice(_ needed: Double, _ available: Int) -> String {
        let perCore = (Double(split.perCoreBatch) * Double(available) / max(needed, 1)).rounded(.down)
        guard perCore >= 1 else {
            return MemoryShortfall.batchAdvice(batch: split.perCoreBatch, neededBytes: needed, availableBytes: available)
        }
        let batch = Int(min(perCore, Double(split.perCoreBatch))) * split.cores
        return "pass --batch \(batch) or less (a multiple of the \(split.cores) cores; memory grows with the batch)"
    }
}
