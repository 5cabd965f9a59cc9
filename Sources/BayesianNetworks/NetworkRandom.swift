// Random numbers of the Bayesian networks (study §2): weight noise ε and Flipout's sign flips.
//
// Reproducibility contract: every stream is a pure function of (seed, salt, indices) — e.g.
// (seed, "DenseFlipout", epoch, step, example) — so a run gives identical numbers for any
// thread count and a resumed run continues exactly where an uninterrupted one would be.
// Generator: GSL's `gsl_rng_taus2` (L'Ecuyer 1996); Gaussians by GSL's ziggurat
// (Marsaglia & Tsang 2000); sub-stream seeds by SplitMix64 (Steele, Lea & Flood 2014) over an
// FNV-1a hash of the salt.
import CNumerics

@_exported import StudyRandom

/// The networks' random streams: the study's shared ``StudyRandom/RandomStream`` (GSL `taus2`,
/// salt-derived sub-streams), extended with the bulk fills the layers need.
///
/// Named salts used by the training loop (STYLE.md §9): `"Split"`, `"Shuffle"`, `"Init"`,
/// `"Epsilon"`, `"FlipoutSigns"`, `"Validation"`, `"Predict"`.
public typealias NetworkRandom = RandomStream

extension RandomStream {
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

}
