// Transcendental functions whose results do not depend on the CPU (study §2, §4, §5: the
// networks' training and prediction path, and the anomaly scores).
//
// Why not libm: glibc selects among several builds of `exp`, `log`, `pow`, `sin` … at run time
// (e.g. an FMA/AVX2 build on CPUs that have those instructions) and the builds differ in the
// last bit for some arguments; training amplifies a last-bit difference into different weights.
// Every function here is a fixed sequence of IEEE-754 additions, multiplications, divisions and
// square roots (each correctly rounded by the hardware, so the same bits on every CPU), with no
// table look-ups and no fused multiply-adds (Swift does not contract `a * b + c`, whatever the
// target CPU). The eight-lane float functions are `@_transparent` (always inlined, also across
// modules: `@inlinable @inline(__always)` had left some of them as calls), so the AVX2 build of the network
// kernels compiles them into its loops with 256-bit instructions: the same operations in the
// same order, so the same bits (the baseline and AVX2 kernels are compared file for file by
// `make check-portable`).
//
// Accuracy goals, in order: bit-identical results everywhere; then ≲ 2 ulp in the double versions
// and ≤ 2 ulp (exp, log) or 3 ulp (log1p) in the float versions over the arguments the package
// uses (measured against libm in PortableMathTests); speed last. Methods: Cody–Waite range reduction with a split ln 2 and Taylor
// polynomials (exp); x = 2ᵏ·m, m ∈ [√½, √2), log m = 2 atanh((m−1)/(m+1)) as a series (log);
// quarter-turn reduction and Taylor polynomials (sin/cos of 2πu).

/// CPU-independent elementary functions (see the file header for the contract).
public enum PortableMath {
    // ln 2 split so that k·ln2Hi is exact for |k| < 2¹¹ (ln2Hi has 32 significant bits).
    static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    static let log2e = 1.442_695_040_888_963_407_36

    // MARK: Double precision

    /// eˣ in double precision. Overflow gives +∞ (x > 709.78), underflow 0 (x < −745.13);
    /// NaN stays NaN.
    ///
    /// ```
    /// k = round(x / ln 2),  r = x − k·ln2Hi − k·ln2Lo ∈ [−0.347, 0.347]
    /// eˣ = 2ᵏ · Σₙ₌₀¹³ rⁿ/n!        (truncation < 5·10⁻¹⁸ relative)
    /// ```
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782_712_893_384 { return .infinity }
        if x < -745.133_219_101_941_1 { return 0 }
        let k = (x * log2e + 6_755_399_441_055_744) - 6_755_399_441_055_744  // round to nearest: ± 1.5·2⁵²
        let r = (x - k * ln2Hi) - k * ln2Lo
        // Horner, highest power first: 1/13!, 1/12!, …, 1.
        var p = 1.605_904_383_682_161_3e-10
        p = p * r + 2.087_675_698_786_809_9e-09
        p = p * r + 2.505_210_838_544_171_8e-08
        p = p * r + 2.755_731_922_398_589_3e-07
        p = p * r + 2.755_731_922_398_589_3e-06
        p = p * r + 2.480_158_730_158_730_2e-05
        p = p * r + 1.984_126_984_126_984_1e-04
        p = p * r + 1.388_888_888_888_888_9e-03
        p = p * r + 8.333_333_333_333_333_2e-03
        p = p * r + 4.166_666_666_666_666_4e-02
        p = p * r + 1.666_666_666_666_666_6e-01
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        return scaleByPowerOfTwo(p, Int(k))
    }

    /// The natural logarithm in double precision: −∞ at 0, NaN below 0 or for NaN, +∞ at +∞
    /// (lane 0 of the four-lane version, so scalar and vector code give the same bits).
    @inline(__always) public static func log(_ x: Double) -> Double { log(SIMD4(repeating: x))[0] }

    /// The natural logarithm on four doubles.
    ///
    /// ```
    /// x = 2ᵏ·m, m ∈ [√½, √2);  s = (m − 1)/(m + 1), |s| ≤ 0.1716
    /// log x = k·ln 2 + 2 Σₙ₌₀¹¹ s²ⁿ⁺¹/(2n + 1)        (truncation < 2·10⁻¹⁸ relative)
    /// ```
    @inline(__always)
    public static func log(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let tiny = x .< Double.leastNormalMagnitude
        let v = x.replacing(with: x * 0x1p54, where: tiny)
        let bits = unsafeBitCast(v, to: SIMD4<Int64>.self)
        // The biased exponent as a double: 2⁵² + e has e in its low mantissa bits.
        let eBits = ((bits &>> 52) & 0x7FF) | 0x4330_0000_0000_0000
        var k = unsafeBitCast(eBits, to: SIMD4<Double>.self) - (4_503_599_627_370_496 + 1023)
        k.replace(with: k - 54, where: tiny)
        var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: SIMD4<Double>.self)
        let big = m .> 1.414_213_562_373_095_1
        m.replace(with: m * 0.5, where: big)
        k.replace(with: k + 1, where: big)
        let f = m - 1
        let s = f / (m + 1), s2 = s * s
        var p = SIMD4<Double>(repeating: 1.0 / 23)
        p = p * s2 + 1.0 / 21
        p = p * s2 + 1.0 / 19
        p = p * s2 + 1.0 / 17
        p = p * s2 + 1.0 / 15
        p = p * s2 + 1.0 / 13
        p = p * s2 + 1.0 / 11
        p = p * s2 + 1.0 / 9
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        // 2s·p(s²) = 2s + 2s³·q: add the small part to the large one last.
        let logM = 2 * s + 2 * s * s2 * p
        var out = (k * ln2Hi + logM) + k * ln2Lo
        out.replace(with: -.infinity, where: x .== 0)
        out.replace(with: .infinity, where: x .== .infinity)
        out.replace(with: .nan, where: .!(x .>= 0))
        return out
    }

    /// log(1 + x) in double precision, accurate for small |x| as well: with u = 1 ⊕ x (rounded),
    /// log1p(x) = log(u) · x/(u − 1), which cancels the rounding of u to first order.
    public static func log1p(_ x: Double) -> Double {
        let u = 1 + x
        if u == 1 { return x }
        if u == .infinity || x.isNaN { return log(u) }
        return log(u) * (x / (u - 1))
    }

    /// xⁿ for an integer n ≥ 0 by binary exponentiation (squarings and multiplications only):
    /// Adam's bias corrections β₁ᵗ, β₂ᵗ.
    public static func power(_ x: Double, _ n: Int) -> Double {
        precondition(n >= 0, "power: negative exponent")
        var result = 1.0, base = x, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }

    /// p·2ᵏ, exact unless the result is subnormal (then correctly rounded once).
    @inline(__always) static func scaleByPowerOfTwo(_ p: Double, _ k: Int) -> Double {
        // Two steps keep each factor a normal power of two for k ∈ [−1074, 1024].
        var v = p, e = k
        if e > 1000 { v *= 0x1p1000; e -= 1000 }
        if e < -1000 { v *= 0x1p-1000; e += 1000 }
        return v * Double(bitPattern: UInt64(e + 1023) << 52)
    }

    // MARK: Single precision (SIMD8 lanes; the scalar versions run one lane)

    /// 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer (round to nearest even).
    /// (Constants of the float functions are computed properties, not stored ones: a stored
    /// `static let` is reached through a lazy-initialisation accessor on every call from another
    /// module, which also keeps the functions from being inlined into the kernels.)
    @inlinable static var magic: Float { 12_582_912 }
    /// The representation of `magic`.
    @inlinable static var magicBits: SIMD8<Int32> { SIMD8<Int32>(repeating: 0x4B40_0000) }

    // ln 2 split for float Cody–Waite: k·ln2HiF exact for |k| < 2⁸.
    @inlinable static var ln2HiF: Float { 0.693_145_751_953_125 }
    @inlinable static var ln2LoF: Float { 1.428_606_765_330_187_045e-06 }

    /// eˣ on eight floats. Arguments are clamped to [−87.3, 88.7]: below, the result is
    /// e^−87.3 ≈ 1.2·10⁻³⁸ (not a subnormal), above +∞ is replaced by 3.3·10³⁸ — the package only
    /// exponentiates arguments ≤ 0 (softmax, softplus).
    ///
    /// ```
    /// k = round(x·log₂e),  r = x − k·ln2HiF − k·ln2LoF ∈ [−0.347, 0.347]
    /// eˣ = 2ᵏ · Σₙ₌₀⁷ rⁿ/n!          (truncation < 6·10⁻⁹ relative)
    /// ```
    @_transparent
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp by comparisons (what `clamped(lowerBound:upperBound:)` gives, NaN included: the
        // lower bound), which compile to blends; `clamped` calls the standard library's generic min/max.
        let lo = SIMD8<Float>(repeating: -87.3), hi = SIMD8<Float>(repeating: 88.7)
        var xc = lo.replacing(with: x, where: x .> lo)
        xc = hi.replacing(with: xc, where: xc .< hi)
        // Round to the nearest integer by adding and subtracting 1.5·2²³ (exact for |v| < 2²²);
        // the low bits of the sum's representation are then k itself.
        let shifted = xc * 1.442_695_04 + magic
        let k = shifted - magic
        let r = (xc - k * ln2HiF) - k * ln2LoF
        var p = SIMD8<Float>(repeating: 1.984_127e-04)  // 1/7!
        p = p * r + 1.388_888_9e-03
        p = p * r + 8.333_333_5e-03
        p = p * r + 4.166_666_8e-02
        p = p * r + 1.666_666_7e-01
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ᵏ from its exponent bits; k ∈ [−126, 128] — split into two factors for k = 128.
        let ki = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- magicBits
        let half = ki &>> 1, rest = ki &- half
        let s1 = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
        let s2 = unsafeBitCast((rest &+ 127) &<< 23, to: SIMD8<Float>.self)
        return (p * s1) * s2
    }

    /// log x on eight floats, for finite x > 0 (normal or subnormal); 0 gives −∞, negative or
    /// NaN arguments NaN, +∞ gives +∞.
    ///
    /// ```
    /// x = 2ᵏ·m, m ∈ [√½, √2);  s = (m − 1)/(m + 1)
    /// log x = k·ln 2 + 2(s + s³/3 + s⁵/5 + s⁷/7 + s⁹/9 + s¹¹/11)    (truncation < 10⁻¹⁰)
    /// ```
    @_transparent
    public static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let tiny = x .< Float.leastNormalMagnitude
        let v = x.replacing(with: x * 0x1p23, where: tiny)
        let bits = unsafeBitCast(v, to: SIMD8<Int32>.self)
        // The biased exponent as a float: 2²³ + e has e in its low mantissa bits.
        let eBits = ((bits &>> 23) & 0xFF) | 0x4B00_0000
        var k = unsafeBitCast(eBits, to: SIMD8<Float>.self) - (8_388_608 + 127)
        k.replace(with: k - 23, where: tiny)
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)
        let big = m .> 1.414_213_5
        m.replace(with: m * 0.5, where: big)
        k.replace(with: k + 1, where: big)
        let s = (m - 1) / (m + 1), s2 = s * s
        var p = SIMD8<Float>(repeating: 1.0 / 11)
        p = p * s2 + 1.0 / 9
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        let logM = 2 * s + 2 * s * s2 * p
        var out = (k * ln2HiF + logM) + k * ln2LoF
        out.replace(with: -.infinity, where: x .== 0)
        out.replace(with: .infinity, where: x .== .infinity)
        out.replace(with: .nan, where: .!(x .>= 0))
        return out
    }

    /// log(1 + x) on eight floats, x > −1, accurate for small |x| (see the double version).
    @_transparent
    public static func log1p(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let u = 1 + x
        let exact = u .== 1
        let d = (u - 1).replacing(with: 1, where: exact)
        var out = log(u) * (x / d)
        out.replace(with: x, where: exact)
        out.replace(with: log(u), where: u .== .infinity)
        return out
    }

    /// eˣ for one float (lane 0 of ``exp(_:)-swift.type.method`` on eight lanes, so scalar and vector
    /// code give the same bits).
    @inlinable @inline(__always) public static func exp(_ x: Float) -> Float { exp(SIMD8(repeating: x))[0] }
    /// log x for one float (lane 0 of the SIMD8 version).
    @inlinable @inline(__always) public static func log(_ x: Float) -> Float { log(SIMD8(repeating: x))[0] }
    /// log(1 + x) for one float (lane 0 of the SIMD8 version).
    @inlinable @inline(__always) public static func log1p(_ x: Float) -> Float { log1p(SIMD8(repeating: x))[0] }

    /// eˣ − 1 for one float, accurate for small |x|: the Taylor series to x⁵ below |x| < 10⁻²,
    /// exp(x) − 1 in double precision otherwise, rounded once.
    public static func expm1(_ x: Float) -> Float {
        let d = Double(x)
        if abs(d) < 1e-2 { return Float(d * (1 + d * (0.5 + d * (1.0 / 6 + d * (1.0 / 24 + d / 120))))) }
        return Float(exp(d) - 1)
    }

    // MARK: Turns

    /// (sin 2πu, cos 2πu) in float for u ∈ [0, 1): the angle of a Box–Muller pair.
    ///
    /// ```
    /// 4u = q + f, q ∈ {0,1,2,3}, f ∈ [0, 1) (exact: u has ≤ 24 significant bits)
    /// θ = (π/2)(f − ½) ∈ [−π/4, π/4]; sin, cos of θ by Taylor to θ¹¹ / θ¹⁰
    /// then rotate by (q + ½) quarter turns
    /// ```
    @_transparent
    public static func sinCosTurns(_ u: SIMD8<Float>) -> (sin: SIMD8<Float>, cos: SIMD8<Float>) {
        let t = u * 4
        // q = ⌊t⌋: round to nearest (see `magic`), then one down where that went up.
        var q = (t + magic) - magic
        q.replace(with: q - 1, where: q .> t)
        let f = t - q
        let th = (f - 0.5) * 1.570_796_4
        let t2 = th * th
        var s = SIMD8<Float>(repeating: -2.505_210_8e-08)  // −1/11!
        s = s * t2 + 2.755_731_9e-06
        s = s * t2 - 1.984_127e-04
        s = s * t2 + 8.333_333_5e-03
        s = s * t2 - 1.666_666_7e-01
        s = s * t2 + 1
        s = s * th
        var c = SIMD8<Float>(repeating: -2.755_731_9e-07)  // −1/10!
        c = c * t2 + 2.480_158_7e-05
        c = c * t2 - 1.388_888_9e-03
        c = c * t2 + 4.166_666_8e-02
        c = c * t2 - 0.5
        c = c * t2 + 1
        // θ + (π/2)(q + ½) = 2πu. Rotation by ½ quarter turn: (sin, cos)(θ + π/4) =
        // ((s + c)/√2, (c − s)/√2); then q quarter turns by swapping and negating.
        let r = Float(0.707_106_77)
        let s0 = (s + c) * r, c0 = (c - s) * r
        var sinOut = s0, cosOut = c0
        let q1 = q .== 1, q2 = q .== 2, q3 = q .== 3
        sinOut.replace(with: c0, where: q1); cosOut.replace(with: -s0, where: q1)
        sinOut.replace(with: -s0, where: q2); cosOut.replace(with: -c0, where: q2)
        sinOut.replace(with: -c0, where: q3); cosOut.replace(with: s0, where: q3)
        return (sinOut, cosOut)
    }
}
