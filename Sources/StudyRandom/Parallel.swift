// The package's one parallel-for: the simulator's event chunks and the networks' minibatch
// shards both run through `Parallel`. It lives beside the random streams because it keeps the same
// promise they do — the same seed gives the same bytes, whatever the thread count.
//
// Determinism contract: work is cut into shards (or chunks) whose boundaries do not depend on the
// thread count, every shard writes only its own memory, and any reduction over shards runs
// afterwards in shard order. Which thread runs a shard, and when, then cannot change a result.
import Foundation

/// Fixed-boundary parallel loops.
public enum Parallel {
    /// Run `body(shard, worker)` for shard in 0..<count on `threads` workers; worker t takes
    /// shards t, t + threads, … in order (static schedule: `worker` can index per-worker scratch
    /// memory). `body` must only write to shard-owned or worker-owned memory.
    public static func forEachShard(_ count: Int, threads: Int, _ body: (_ shard: Int, _ worker: Int) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for s in 0 ..< count { body(s, 0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { t in
            var s = t
            while s < count { body(s, t); s += workers }
        }
    }

    /// Split 0..<n into fixed chunks of `chunk` elements and run `body(range, chunkIndex)` in
    /// parallel (static schedule); chunk boundaries do not depend on `threads`.
    public static func forEachChunk(_ n: Int, chunk: Int, threads: Int, _ body: (Range<Int>, Int) -> Void) {
        let chunks = (n + chunk - 1) / chunk
        forEachShard(chunks, threads: threads) { c, _ in body(c * chunk ..< min(n, (c + 1) * chunk), c) }
    }

    /// Run `body(i)` for i in 0..<count on `threads` workers, each taking the next unclaimed index
    /// (dynamic schedule, for items of uneven cost such as showers of different multiplicity).
    /// `body` must only write to memory owned by item `i`.
    public static func forEachItem(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for i in 0 ..< count { body(i) }
            return
        }
        let next = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
            while true {
                let i = next.add(1) - 1
                if i >= count { break }
                body(i)
            }
        }
    }
}

/// A lock-protected counter shared by worker threads (claimed items, finished events).
public final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    /// A counter at 0.
    public init() {}
    /// Add `n` and return the new value.
    @discardableResult public func add(_ n: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        value += n
        return value
    }
}
