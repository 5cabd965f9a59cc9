// Random numbers of the whole study: one seeded GSL generator type and one way of deriving
// independent sub-stream seeds from a master seed by a named salt (the module's DocC overview
// names the main salts). The simulator (§3), the Bayesian networks (§2) and the analysis's
// bootstrap (§5) all draw from here.
//
// Reproducibility contract: every stream is a pure function of (seed, salt, indices) — e.g.
// (seed, "event", class, index) or (seed, "FlipoutSigns", pass, epoch, step, example) — so results do
// not depend on the thread that draws them, and a resumed run continues exactly.
// Sources: GSL's `gsl_rng_taus2` (P. L'Ecuyer, Math. Comp. 65 (1996) 203); SplitMix64
// (G. Steele, D. Lea, C. Flood, OOPSLA 2014); FNV-1a (Fowler, Noll, Vo).
import CNumerics

/// A seeded GSL random-number stream (`gsl_rng_taus2`, L'Ecuyer's maximally equidistributed
/// Tausworthe generator, period ≈ 2⁸⁸, 32 random bits per step).
///
/// Our choice of `taus2` over GSL's default `mt19937`: it passes the same statistical tests GSL
/// documents, is ~3× faster per draw, and reseeding it is a few nanoseconds — the simulator
/// reseeds once per event and the networks once per example, to make each independently
/// reproducible.
public final class RandomStream {
    /// The underlying GSL generator; owned by this object.
    public let rng: UnsafeMutablePointer<gsl_rng>

    /// A new stream seeded with `seed` (all 64 bits reach GSL's `unsigned long`).
    public init(seed: UInt64) {
        rng = gsl_rng_alloc(gsl_rng_taus2)
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    /// The stream of sub-stream (`seed`, `salt`, `indices…`); see ``SeedDerivation``.
    public convenience init(seed: UInt64, salt: String, _ indices: UInt64...) {
        self.init(seed: SeedDerivation.seed(seed, salt: salt, indices: indices))
    }

    deinit { gsl_rng_free(rng) }

    /// Re-seed in place (cheap: used once per event or example).
    @inline(__always) public func reseed(_ seed: UInt64) {
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    /// Uniform on [0, 1).
    @inline(__always) public func uniform() -> Double { gsl_rng_uniform(rng) }
    /// Uniform on (0, 1): never exactly 0, safe for logarithms.
    @inline(__always) public func uniformPositive() -> Double { gsl_rng_uniform_pos(rng) }
    /// 32 uniformly random bits (taus2 produces exactly 32 bits per step).
    @inline(__always) public func bits32() -> UInt32 { UInt32(truncatingIfNeeded: gsl_rng_get(rng)) }

    /// `count` successive 32-bit outputs into `out`: the same numbers as `count` calls of
    /// ``bits32()``, computed here without a call per number: GSL's `taus2` step (``Taus2``) on
    /// the generator's own state, which is written back afterwards.
    public func fillBits32(_ out: UnsafeMutablePointer<UInt32>, count: Int) {
        var taus = inlineState()
        taus.fill(out, count: count)
        setInlineState(taus)
    }

    /// The generator's state, to draw from inline (``Taus2``) without a call per number; hand it
    /// back with ``setInlineState(_:)`` before the stream is used again.
    @inlinable @inline(__always) public func inlineState() -> Taus2 {
        // GSL's taus_state_t: three `unsigned long` holding 32-bit values.
        let state = UnsafeRawPointer(rng.pointee.state).assumingMemoryBound(to: UInt.self)
        return Taus2(s1: UInt32(truncatingIfNeeded: state[0]), s2: UInt32(truncatingIfNeeded: state[1]),
                     s3: UInt32(truncatingIfNeeded: state[2]))
    }

    /// Continue this stream from `taus` (the state ``inlineState()`` gave, advanced).
    @inlinable @inline(__always) public func setInlineState(_ taus: Taus2) {
        let state = rng.pointee.state.assumingMemoryBound(to: UInt.self)
        state[0] = UInt(taus.s1); state[1] = UInt(taus.s2); state[2] = UInt(taus.s3)
    }
    /// Uniform integer in [0, n).
    @inline(__always) public func integer(below n: Int) -> Int {
        Int(gsl_rng_uniform_int(rng, UInt(n)))
    }
    /// Standard normal N(0, 1) (GSL's ziggurat, Marsaglia & Tsang 2000).
    @inline(__always) public func gaussian() -> Double { gsl_ran_gaussian_ziggurat(rng, 1.0) }
    /// Exponential with the given mean.
    @inline(__always) public func exponential(mean: Double) -> Double { gsl_ran_exponential(rng, mean) }
    /// Gamma(shape k, scale θ), mean kθ (GSL's Marsaglia–Tsang sampler).
    @inline(__always) public func gamma(shape: Double, scale: Double) -> Double {
        gsl_ran_gamma(rng, shape, scale)
    }
    /// A correlated pair of standard normals with correlation `rho`.
    @inline(__always) public func bivariateGaussian(rho: Double) -> (Double, Double) {
        var x = 0.0, y = 0.0
        gsl_ran_bivariate_gaussian(rng, 1.0, 1.0, rho, &x, &y)
        return (x, y)
    }
    /// A direction uniformly distributed on the unit sphere.
    @inline(__always) public func isotropicDirection() -> (x: Double, y: Double, z: Double) {
        var x = 0.0, y = 0.0, z = 0.0
        gsl_ran_dir_3d(rng, &x, &y, &z)
        return (x, y, z)
    }
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
}

/// GSL's `taus2` generator as a value (L'Ecuyer 1996, as in GSL's taus.c), for hot loops that
/// draw many numbers: the same numbers as ``RandomStream``'s ``RandomStream/bits32()``,
/// ``RandomStream/uniform()`` and ``RandomStream/uniformPositive()``, in the same order, with
/// the state in registers instead of a call into GSL per number. Taken from a stream by
/// ``RandomStream/inlineState()`` and handed back by ``RandomStream/setInlineState(_:)``.
/// ```
/// s₁ ← ((s₁ & 0xFFFFFFFE) << 12) ⊕ (((s₁ << 13) ⊕ s₁) >> 19)
/// s₂ ← ((s₂ & 0xFFFFFFF8) <<  4) ⊕ (((s₂ <<  2) ⊕ s₂) >> 25)
/// s₃ ← ((s₃ & 0xFFFFFFF0) << 17) ⊕ (((s₃ <<  3) ⊕ s₃) >> 11)      (32-bit arithmetic)
/// output s₁ ⊕ s₂ ⊕ s₃;   uniform = output / 2³²  (GSL's taus_get_double)
/// ```
public struct Taus2: Sendable {
    /// The three component states (GSL keeps them in `unsigned long`s; only 32 bits are used).
    public var s1: UInt32, s2: UInt32, s3: UInt32

    /// A generator in the given state (normally from ``RandomStream/inlineState()``).
    @inlinable @inline(__always) public init(s1: UInt32, s2: UInt32, s3: UInt32) { self.s1 = s1; self.s2 = s2; self.s3 = s3 }

    /// 32 random bits: ``RandomStream/bits32()``.
    @inlinable @inline(__always) public mutating func next() -> UInt32 {
        s1 = ((s1 & 0xFFFF_FFFE) &<< 12) ^ (((s1 &<< 13) ^ s1) &>> 19)
        s2 = ((s2 & 0xFFFF_FFF8) &<< 4) ^ (((s2 &<< 2) ^ s2) &>> 25)
        s3 = ((s3 & 0xFFFF_FFF0) &<< 17) ^ (((s3 &<< 3) ^ s3) &>> 11)
        return s1 ^ s2 ^ s3
    }

    /// Uniform on [0, 1): ``RandomStream/uniform()`` (GSL's `gsl_rng_uniform` for taus2).
    @inlinable @inline(__always) public mutating func uniform() -> Double { Double(next()) / 4_294_967_296.0 }

    /// Uniform on (0, 1): ``RandomStream/uniformPositive()`` (GSL's `gsl_rng_uniform_pos`: draw
    /// again on an exact 0).
    @inlinable @inline(__always) public mutating func uniformPositive() -> Double {
        var x = uniform()
        while x == 0 { x = uniform() }
        return x
    }

    /// `count` successive outputs of ``next()`` into `out`.
    @inlinable @inline(__always) public mutating func fill(_ out: UnsafeMutablePointer<UInt32>, count: Int) {
        var a = s1, b = s2, c = s3
        for i in 0 ..< count {
            a = ((a & 0xFFFF_FFFE) &<< 12) ^ (((a &<< 13) ^ a) &>> 19)
            b = ((b & 0xFFFF_FFF8) &<< 4) ^ (((b &<< 2) ^ b) &>> 25)
            c = ((c & 0xFFFF_FFF0) &<< 17) ^ (((c &<< 3) ^ c) &>> 11)
            out[i] = a ^ b ^ c
        }
        s1 = a; s2 = b; s3 = c
    }
}

/// Derivation of independent sub-stream seeds from a master seed by a named salt and indices:
/// ```
///     h₀ = mix(seed ⊕ hash(salt)),   hᵢ₊₁ = mix(hᵢ ⊕ indexᵢ)
/// ```
/// with `mix` SplitMix64's finaliser and `hash` FNV-1a of the salt's UTF-8 bytes. Distinct
/// inputs give statistically independent 64-bit seeds.
public enum SeedDerivation {
    /// SplitMix64's output function: a bijective avalanche mix of 64 bits.
    @inline(__always) public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a, 64 bit, of a salt string (stable across runs and platforms, unlike `Hasher`).
    public static func hash(_ salt: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in salt.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The seed of sub-stream (`seed`, `salt`, `indices`).
    @inline(__always) public static func seed(_ seed: UInt64, salt: String, indices: [UInt64]) -> UInt64 {
        var h = mix(seed ^ hash(salt))
        for i in indices { h = mix(h ^ i) }
        return h
    }

    /// The seed of sub-stream (`seed`, `salt`, `indices…`).
    @inline(__always) public static func seed(_ seed: UInt64, salt: String, _ indices: UInt64...) -> UInt64 {
        self.seed(seed, salt: salt, indices: indices)
    }
}

/// A small value-type generator (SplitMix64) for analysis code that wants no GSL handle, such
/// as the bootstrap of §5. Seeded and deterministic.
public struct SplitMix64: Sendable {
    private var state: UInt64
    /// A generator from `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform integer in [0, n).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
