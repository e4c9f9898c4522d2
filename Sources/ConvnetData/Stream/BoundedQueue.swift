import Foundation

/// A first-in first-out queue of at most `capacity` values between one producer thread and one
/// consumer: `put` waits while it is full, `take` while it is empty. `close` wakes both for good
/// (the consumer went away, or the producer finished), so no thread waits forever.
final class BoundedQueue<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// False when the queue was closed (nobody will take the value).
    func put(_ value: T) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(value)
        condition.broadcast()
        return true
    }

    /// The oldest value; nil once the queue is closed and empty.
    func take() -> T? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let value = items.removeFirst()
        condition.broadcast()
        return value
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }
}
