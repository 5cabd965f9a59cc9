// Identities of datasets and models, so that a prediction file says what it was made from and
// `evaluate` can refuse inputs that do not belong together.
//
// An identity is a SHA-256 (FIPS 180-4) over the *contents*, not the file's bytes: a dataset's
// identity covers its labels, cells, overflow and energies as read; a model's its output classes,
// kind and best weights. Re-packing a file (h5repack) keeps its identity; a different seed,
// class list, size or training run changes it.
import BayesianNetworks
import CSHA256
import Foundation

/// SHA-256 of a byte stream (FIPS 180-4), for content identities. The compression function is
/// CSHA256's: the x86 SHA extensions where the CPU has them (about four times the plain loop's
/// speed; a training run hashes its datasets, often hundreds of megabytes, before the first
/// epoch), the plain loop otherwise — the same digest either way.
public struct SHA256 {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    /// An empty hash.
    public init() {}

    /// Whether this process compresses with the x86 SHA extensions (a speed, not a result).
    public static var usesSHAExtensions: Bool { calo_sha256_uses_sha_extensions() != 0 }

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
            if pending.count == 64 {
                pending.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let whole = (bytes.count - i) / 64
        if whole > 0 { compress(bytes.baseAddress! + i, blocks: whole); i += 64 * whole }
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
        return [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7].map { String(format: "%08x", $0) }.joined()
    }

    /// FIPS 180-4 §6.2.2 on `blocks` consecutive 64-byte blocks at `p`.
    private mutating func compress(_ p: UnsafeRawPointer, blocks: Int) {
        withUnsafeMutableBytes(of: &h) { state in
            calo_sha256_blocks(state.baseAddress!.assumingMemoryBound(to: UInt32.self),
                               p.assumingMemoryBound(to: UInt8.self), blocks)
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
