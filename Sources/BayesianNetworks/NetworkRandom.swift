// Random numbers of the Bayesian networks (study §2): weight noise ε and Flipout's sign flips.
//
// Reproducibility contract: every stream is a pure function of (seed, salt, indices) — e.g.
// (seed, "DenseFlipout", epoch, step, example) — so a run gives identical numbers for any
// thread count and a resumed run continues exactly where an uninterrupted one would be.
// Generator: GSL's `gsl_rng_taus2` (L'Ecuyer 1996); Gaussians by GSL's ziggurat
// (Marsaglia & Tsang 2000); sub-stream seeds by SplitMix64 (Steele, Lea & Flood 2014) over an
// FNV-1a hash of the salt.
import CNumerics

/// A seeded GSL generator for this module (`gsl_rng_taus2`), plus the salt-based derivation of
/// independent sub-stream seeds.
///
/// Named salts used by the training loop (STYLE.md §9): `"Split"`, `"Shuffle"`, `"Init"`,
/// `"Epsilon"`, `"FlipoutSigns"`, `"Validation"`, `"Predict"`.
public final class NetworkRandom {
    /// The GSL generator, owned by this object.
    public let rng: UnsafeMutablePointer<gsl_rng>

    /// A generator seeded with `seed` (all 64 bits are passed to GSL, `unsigned long` here).
    public init(seed: UInt64) {
        rng = gsl_rng_alloc(gsl_rng_taus2)
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    /// A generator for sub-stream (`seed`, `salt`, `indices…`); see ``derive(_:salt:_:)-(UInt64,String,[UInt64])``.
    public convenience init(seed: UInt64, salt: String, _ indices: UInt64...) {
        self.init(seed: NetworkRandom.derive(seed, salt: salt, indices))
    }

    deinit { gsl_rng_free(rng) }

    /// Re-seed in place (cheap: a few LCG steps), used once per example for Flipout's signs.
    @inline(__always) public func reseed(_ seed: UInt64) { gsl_rng_set(rng, UInt(truncatingIfNeeded: seed)) }

    /// A standard normal draw, N(0, 1).
    @inline(__always) public func gaussian() -> Double { gsl_ran_gaussian_ziggurat(rng, 1.0) }

    /// Fill `count` floats at `out` with N(mean, stddev²) draws.
    public func fillGaussian(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, stddev: Float = 1) {
        for i in 0 ..< count { out[i] = mean + stddev * Float(gsl_ran_gaussian_ziggurat(rng, 1.0)) }
    }

    /// Fill `count` floats at `out` with Rademacher signs ±1, one raw bit each.
    ///
    /// `taus2` returns 32 uniformly random bits per call (its range is [0, 2³²−1]), so one call
    /// gives 32 signs; bit 1 ↦ −1, bit 0 ↦ +1.
    public func fillSigns(_ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        // Whole words: 32 signs from one draw, 8 at a time with SIMD shifts (bit k → lane k).
        let shifts = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        let raw = UnsafeMutableRawPointer(out)
        while i &+ 32 <= count {
            let word = UInt32(truncatingIfNeeded: gsl_rng_get(rng))
            for q in 0 ..< 4 {
                let b = (SIMD8<UInt32>(repeating: word) &>> (shifts &+ UInt32(q &* 8))) & 1
                raw.storeBytes(of: (b &<< 31) | 0x3F80_0000, toByteOffset: (i &+ q &* 8) &* 4, as: SIMD8<UInt32>.self)
            }
            i &+= 32
        }
        while i < count {
            var bits = UInt32(truncatingIfNeeded: gsl_rng_get(rng))
            let m = min(32, count - i)
            for j in 0 ..< m {
                // Set the IEEE sign bit of 1.0 directly: no branch in the loop.
                out[i + j] = Float(bitPattern: 0x3F80_0000 | ((bits & 1) << 31))
                bits >>= 1
            }
            i += m
        }
    }

    /// Uniform integer in [0, n).
    @inline(__always) public func integer(below n: Int) -> Int { Int(gsl_rng_uniform_int(rng, UInt(n))) }

    /// A uniformly random permutation of 0..<n (Fisher–Yates, drawing from this stream).
    public func permutation(_ n: Int) -> [Int] {
        var p = Array(0 ..< n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = integer(below: i + 1)
            p.swapAt(i, j)
        }
        return p
    }

    // MARK: Seed derivation

    /// SplitMix64's finaliser: a bijective avalanche mix of 64 bits.
    @inline(__always) public static func splitMix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a, 64 bit, of the salt's UTF-8 bytes (stable across runs, unlike Swift's `Hasher`).
    public static func fnv1a(_ salt: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in salt.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The seed of sub-stream (`seed`, `salt`, `indices…`):
    /// ```
    /// h₀ = splitMix(seed ⊕ fnv1a(salt)),   hᵢ₊₁ = splitMix(hᵢ ⊕ indexᵢ)
    /// ```
    public static func derive(_ seed: UInt64, salt: String, _ indices: [UInt64]) -> UInt64 {
        var h = splitMix(seed ^ fnv1a(salt))
        for i in indices { h = splitMix(h ^ i) }
        return h
    }

    /// Variadic form of ``derive(_:salt:_:)-(UInt64,String,[UInt64])``.
    public static func derive(_ seed: UInt64, salt: String, _ indices: UInt64...) -> UInt64 {
        derive(seed, salt: salt, indices)
    }
}
