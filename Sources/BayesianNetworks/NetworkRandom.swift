// Random numbers of the Bayesian networks (study §2): weight noise ε and Flipout's sign flips.
//
// Reproducibility contract: every stream is a pure function of (seed, salt, indices) — e.g.
// (seed, "FlipoutSigns", pass, epoch, step, example) — so a run gives identical numbers for any
// thread count and a resumed run continues exactly where an uninterrupted one would be; and the
// same numbers on any CPU: the generator is integer arithmetic, and the Gaussians are made from
// its bits with `PortableMath` (libm and GSL's Gaussian samplers call glibc's `exp`/`log`,
// whose results depend on the CPU). Generator: GSL's `gsl_rng_taus2` (L'Ecuyer 1996);
// Gaussians by the Box–Muller transform (Box & Muller 1958); sub-stream seeds by SplitMix64
// (Steele, Lea & Flood 2014) over an FNV-1a hash of the salt.
import CNumerics
@_exported import PortableMath
@_exported import StudyRandom

/// The networks' random streams: the study's shared ``StudyRandom/RandomStream`` (GSL `taus2`,
/// salt-derived sub-streams), extended with the bulk fills the layers need.
///
/// Named salts: `"Init"` (initial weights), `"Split"` and `"Shuffle"` (the training loop),
/// `"Epsilon"` and `"FlipoutSigns"` (weight noise and sign flips of a pass, each keyed further by
/// the pass's ``NoiseKey/salt``, `"Train"` or `"Validation"`), `"Predict"` (the weight samples
/// at prediction) and `"Benchmark"`.
public typealias NetworkRandom = RandomStream

extension RandomStream {
    /// Fill `count` floats at `out` with N(mean, stddev²) draws, sixteen at a time by Box–Muller
    /// on eight lanes:
    /// ```
    /// u₁ = (a + ½)/2²⁴ ∈ (0, 1),  u₂ = b/2²⁴ ∈ [0, 1)      a, b: the top 24 bits of two draws
    /// z = √(−2 log u₁) · (cos 2πu₂, sin 2πu₂)
    /// ```
    /// Each block of sixteen outputs consumes sixteen 32-bit draws (eight for u₁, then eight for
    /// u₂), also the last, partial block. With 24-bit uniforms |z| ≤ 5.8: the tail beyond 5.8σ
    /// (probability 7·10⁻⁹) is cut — harmless for weight noise and initial weights.
    public func fillGaussian(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, stddev: Float = 1) {
        // Words for up to 256 blocks at a time (16 KiB, stays in the L1 cache), then the
        // kernels' Box–Muller on them (the AVX2 build where the CPU has it: the same bits).
        let tile = 256 * 16
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: tile) { buf in
            let words = buf.baseAddress!
            var i = 0
            while i < count {
                let n = min(tile, count - i)
                fillBits32(words, count: (n + 15) / 16 * 16)
                ActiveKernels.gaussians(words: words, count: n, mean: mean, stddev: stddev, out + i)
                i += n
            }
        }
    }

    /// Fill `count` floats at `out` with Rademacher signs ±1, one raw bit each.
    ///
    /// `taus2` returns 32 uniformly random bits per call (its range is [0, 2³²−1]), so one call
    /// gives 32 signs; bit 1 ↦ −1, bit 0 ↦ +1.
    public func fillSigns(_ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        // Whole words: 32 signs from one draw, 8 at a time from a table of the 256 bytes' signs
        // (byte b → lane l is −1 if bit l of b is set, +1 otherwise).
        let table = signTable
        let raw = UnsafeMutableRawPointer(out)
        let words = (count + 31) / 32
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(words, 1)) { buf in
            let w = buf.baseAddress!
            fillBits32(w, count: words)
            var k = 0
            while i &+ 32 <= count {
                let word = w[k]
                for q in 0 ..< 4 {
                    let byte = Int((word &>> UInt32(q &* 8)) & 0xFF)
                    raw.storeBytes(of: table[byte], toByteOffset: (i &+ q &* 8) &* 4, as: SIMD8<Float>.self)
                }
                i &+= 32; k &+= 1
            }
            if i < count {
                var bits = w[k]
                for j in 0 ..< count - i {
                    // Set the IEEE sign bit of 1.0 directly: no branch in the loop.
                    out[i + j] = Float(bitPattern: 0x3F80_0000 | ((bits & 1) << 31))
                    bits >>= 1
                }
            }
        }
    }

}

/// The eight signs of each byte value: lane l is −1 if bit l is set, +1 otherwise (as the sign
/// bit of 1.0, like the tail of ``RandomStream/fillSigns(_:count:)``).
private let signTable: UnsafePointer<SIMD8<Float>> = {
    let t = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 256)
    for b in 0 ..< 256 {
        var v = SIMD8<Float>()
        for l in 0 ..< 8 { v[l] = Float(bitPattern: 0x3F80_0000 | (UInt32((b >> l) & 1) << 31)) }
        t[b] = v
    }
    return UnsafePointer(t)
}()
