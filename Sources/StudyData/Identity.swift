// Identities of datasets and models, so that a prediction file says what it was made from and
// `evaluate` can refuse inputs that do not belong together.
//
// An identity is a SHA-256 (FIPS 180-4) over the *contents*, not the file's bytes: a dataset's
// identity covers its labels, cells, overflow and energies as read; a model's its output classes,
// kind and best weights. Re-packing a file (h5repack) keeps its identity; a different seed,
// class list, size or training run changes it.
import BayesianNetworks
import Foundation

/// SHA-256 of a byte stream (FIPS 180-4), for content identities.
public struct SHA256 {
    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    private var pending: [UInt8] = []
    private var length: UInt64 = 0
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// An empty hash.
    public init() {}

    /// Hash the bytes of `values` (native layout; little-endian on every supported machine).
    public mutating func update<T>(_ values: [T]) {
        values.withUnsafeBytes { update(UnsafeRawBufferPointer($0)) }
    }

    /// Hash a string's UTF-8 bytes followed by a 0 byte (so that fields cannot run together).
    public mutating func update(_ s: String) { update(Array(s.utf8) + [0]) }

    /// Hash raw bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending += bytes[0 ..< take]
            i = take
            if pending.count == 64 { pending.withUnsafeBytes { block($0.baseAddress!) }; pending.removeAll(keepingCapacity: true) }
        }
        while i + 64 <= bytes.count { block(bytes.baseAddress! + i); i += 64 }
        if i < bytes.count { pending += bytes[i...] }
    }

    /// The digest as 64 lower-case hex digits.
    public mutating func finalize() -> String {
        let bits = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pending.count) % 64)
        for s in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(s))) }
        let saved = length
        tail.withUnsafeBytes { update($0) }
        length = saved
        return h.map { String(format: "%08x", $0) }.joined()
    }

    private mutating func block(_ p: UnsafeRawPointer) {
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0 ..< 16 { w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
            for t in 16 ..< 64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            SHA256.k.withUnsafeBufferPointer { k in
                for t in 0 ..< 64 {
                    let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                }
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
        }
    }
}

extension CaloDataset {
    /// The dataset's identity: SHA-256 over "calo-bnn-dataset-1", then the labels (N) int32, the
    /// cells (N, 504) float32 in layer order, the overflow (N, 3) and energies (N) float32.
    public var identity: String {
        var s = SHA256()
        s.update("calo-bnn-dataset-1")
        s.update(batch.label); s.update(batch.cells); s.update(batch.overflow); s.update(batch.energy)
        return s.finalize()
    }
}

extension Checkpoint {
    /// A trained model's identity: SHA-256 over "calo-bnn-model-1", its kind, output classes,
    /// prior, then its best weights μ and ρ (float32) — what `predict` uses.
    public static func identity(of state: TrainingState) -> String {
        var s = SHA256()
        s.update("calo-bnn-model-1")
        s.update(state.config.kind.rawValue); s.update(state.classNames.joined(separator: ",")); s.update(state.priorName)
        s.update(state.bestMu); s.update(state.bestRho)
        return s.finalize()
    }
}
