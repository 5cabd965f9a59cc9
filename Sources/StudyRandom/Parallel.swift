// The package's one parallel-for: the simulator's event chunks and the networks' minibatch
// shards both run through `Parallel`. It lives beside the random streams because it keeps the same
// promise they do — the same seed gives the same bytes, whatever the thread count.
//
// Determinism contract: work is cut into shards (or chunks) whose boundaries do not depend on the
// thread count, every shard writes only its own memory, and any reduction over shards runs
// afterwards in shard order. Which thread runs a shard, and when, then cannot change a result.
//
// The workers are the package's own persistent threads (``WorkerPool``), not libdispatch's: a
// training step opens two or three parallel regions of a millisecond or less, and waking a
// libdispatch worker for each costs a noticeable part of a region (measured: deterministic
// training gained 1.25× from a second thread that way, 1.75× with the pool). Our threads also
// inherit the process's `nice` value, where libdispatch resets its workers to its own priority.
import CNumerics
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
        WorkerPool.shared.run(workers: workers) { t in
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
        WorkerPool.shared.run(workers: min(threads, count)) { _ in
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

/// Persistent worker threads that run one parallel region at a time for ``Parallel``.
///
/// `run(workers: w, body)` calls `body(0)` on the calling thread and `body(1)` … `body(w − 1)` on
/// pool threads 1 … w − 1 (started on first need, then kept), and returns when all have returned.
/// A region is published by bumping a generation counter; an idle pool thread spins on it for a
/// few tens of microseconds (the gap between the regions of one training step) and then sleeps on
/// a condition variable until the next region. Every pool thread acknowledges every region — also
/// those it has no part in — so no thread can miss or repeat one.
///
/// One region at a time: a call made while a region runs (from a `body`, or from another thread)
/// runs its `w` parts one after the other on the calling thread. That is the same work in a
/// different order, and ``Parallel``'s contract makes the order irrelevant to the result.
final class WorkerPool: @unchecked Sendable {
    /// The process's pool.
    static let shared = WorkerPool()

    /// Spins of an idle pool thread before it sleeps (tens of microseconds: a spin is one CPU pause hint).
    static let spinsBeforeSleep = 1024

    /// Word 0: the generation of the latest region; word 1: pool threads yet to acknowledge it.
    private let words = UnsafeMutablePointer<Int>.allocate(capacity: 2)
    private var generation: UnsafeMutablePointer<Int> { words }
    private var pending: UnsafeMutablePointer<Int> { words + 1 }
    /// Held by the thread that runs a region.
    private let regionLock = NSLock()
    /// Guards sleeping and waking.
    private let wake = NSCondition()
    /// The region's body and its number of parts; written before the generation is bumped.
    private var task: ((Int) -> Void)?
    private var taskWorkers = 0
    /// Pool threads started (worker indices 1 … started).
    private var started = 0

    private init() { words.initialize(repeating: 0, count: 2) }

    func run(workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 { body(0); return }
        guard regionLock.try() else {
            for t in 0 ..< workers { body(t) }
            return
        }
        defer { regionLock.unlock() }
        while started < workers - 1 {
            started += 1
            let index = started, seen = calo_atomic_load(generation)
            let thread = Thread { [unowned self] in self.serve(index: index, seen: seen) }
            thread.name = "calobnn-worker-\(index)"
            thread.start()
        }
        withoutActuallyEscaping(body) { body in
            wake.lock()
            task = body
            taskWorkers = workers
            calo_atomic_store(pending, started)
            _ = calo_atomic_add(generation, 1)
            wake.broadcast()
            wake.unlock()
            body(0)
            var spins = 0
            while calo_atomic_load(pending) != 0 {
                spins += 1
                if spins < Self.spinsBeforeSleep { calo_cpu_relax() } else { sched_yield() }
            }
            task = nil
        }
    }

    /// The loop of pool thread `index`: wait for a region newer than `seen`, run its part (if
    /// it has one), acknowledge.
    ///
    /// A pool thread blocks every asynchronous signal first. SIGINT, SIGTERM and SIGHUP are
    /// received by StudyData's cleanup handler (a libdispatch signal source), which relies on them
    /// staying pending until it reads them; a thread with them unblocked would take them on
    /// delivery and, the process disposition being "ignore" while the source listens, drop them.
    private func serve(index: Int, seen: Int) {
        var signals = sigset_t()
        sigfillset(&signals)
        for synchronous in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP] { sigdelset(&signals, synchronous) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var seen = seen
        while true {
            var spins = 0
            var g = calo_atomic_load(generation)
            while g == seen {
                if spins < Self.spinsBeforeSleep {
                    spins += 1
                    calo_cpu_relax()
                } else {
                    wake.lock()
                    while calo_atomic_load(generation) == seen { wake.wait() }
                    wake.unlock()
                }
                g = calo_atomic_load(generation)
            }
            seen = g
            if index < taskWorkers, let task { task(index) }
            _ = calo_atomic_add(pending, -1)
        }
    }
}
