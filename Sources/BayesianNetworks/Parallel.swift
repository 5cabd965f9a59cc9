// Batch parallelism on the machine's cores: each kernel call runs on one thread, and we split the batch.
//
// Determinism contract: work is cut into shards whose boundaries do not depend on the thread
// count, every shard writes its own buffers, and reductions run over shards in index order —
// so 1 and 2 threads give bit-identical results.
import Foundation

/// Fixed-order parallel loops.
public enum Parallel {
    /// Run `body(shard)` for shard in 0..<count on `threads` workers; worker t takes shards
    /// t, t + threads, … in order. `body` must only write to shard-owned memory.
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
    /// parallel; chunk boundaries do not depend on `threads`.
    public static func forEachChunk(_ n: Int, chunk: Int, threads: Int, _ body: (Range<Int>, Int) -> Void) {
        let chunks = (n + chunk - 1) / chunk
        forEachShard(chunks, threads: threads) { c, _ in body(c * chunk ..< min(n, (c + 1) * chunk), c) }
    }
}
