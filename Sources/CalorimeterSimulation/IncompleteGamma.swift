// The regularised lower incomplete gamma function P(a, x) for a fixed shape a, evaluated many
// times per shower (GFlash, hep-ex/0001020: the energy in [t₁, t₂] is P(α, βt₂) − P(α, βt₁)).
//
// GSL's gsl_sf_gamma_inc_P recomputes ln Γ(a) on every call; a shower evaluates P about 70 times
// at the same a, so we cache ln Γ(a) (from GSL) and sum the classic series / continued fraction
// (Abramowitz & Stegun 6.5.29 and 6.5.31; the modified Lentz algorithm, Thompson & Barnett 1986).
// Tests check it against gsl_sf_gamma_inc_P to 1e-12.
import CNumerics
import Foundation
import ShowerKernels
import ShowerKernelsAVX2

/// P(a, ·) for one shape parameter a > 0, with ln Γ(a) cached.
public struct RegularizedGammaP: Sendable {
    /// The shape a.
    public let a: Double
    /// ln Γ(a), from GSL.
    public let lnGammaA: Double

    /// P(a, ·) for shape `a` (> 0).
    public init(a: Double) {
        self.a = a
        lnGammaA = gsl_sf_lngamma(a)
    }

    /// P(a, x) = γ(a, x)/Γ(a), to ~1e-14 relative.
    ///
    /// For x < a + 1 the series
    /// ```
    ///     P(a, x) = xᵃ e⁻ˣ / Γ(a) · Σₙ xⁿ / (a (a+1) ⋯ (a+n))
    /// ```
    /// converges fast; otherwise Q = 1 − P by the continued fraction
    /// ```
    ///     Q(a, x) = xᵃ e⁻ˣ / Γ(a) · 1/(x + 1 − a − 1·(1−a)/(x + 3 − a − 2·(2−a)/(x + 5 − a − ⋯)))
    /// ```
    @inline(__always) public func callAsFunction(_ x: Double) -> Double {
        if x <= 0 { return 0 }
        let prefactor = exp(a * log(x) - x - lnGammaA)
        if x < a + 1 {
            var ap = a, term = 1 / a, sum = term
            for _ in 0 ..< 500 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return min(1, sum * prefactor)
        }
        // Modified Lentz for the continued fraction of Q.
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1 ..< 500 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return max(0, 1 - prefactor * h)
    }
}


extension RegularizedGammaP {
    /// P(a₀, xⱼ) for j < `count` and P(a₁, xⱼ) for `count` ≤ j < 2·`count` (a₀, a₁ the shapes of
    /// `first` and `second`) into `out[j]`: the same bits as ``callAsFunction(_:)`` of each,
    /// four (series) or eight (continued fraction) arguments at a time.
    ///
    /// The series and the continued fraction are iterated on SIMD lanes, each lane with its own
    /// shape; every lane runs the scalar loop's operations, and its result is taken at the
    /// iteration where the scalar loop breaks (or after its 499th). The prefactor xᵃe⁻ˣ/Γ(a) is
    /// libm's, per argument, as in the scalar version. An argument equal to the one before it (a
    /// layer boundary is the end of one layer's steps and the start of the next) is copied.
    /// Why: a shower evaluates P at all its step boundaries; the scalar loops are latency-bound
    /// (two dependent divisions per continued-fraction iteration), eight independent lanes (two
    /// vector registers of four under AVX2) less so.
    public static func values(_ first: RegularizedGammaP, _ second: RegularizedGammaP,
                              at x: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        let total = 2 * count
        guard total > 0 else { return }
        // Read once (a lazy global: each read is a call to swift_once).
        let avx2 = ShowerKernelBuild.avx2
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * total + 48) { index in
            let series = index.baseAddress!, fraction = series + total + 16, copies = fraction + total + 16
            var nSeries = 0, nFraction = 0, nCopies = 0
            for j in 0 ..< total {
                let a = j < count ? first.a : second.a
                if j != 0 && j != count && x[j] == x[j - 1] { copies[nCopies] = j; nCopies += 1 }
                else if x[j] <= 0 { out[j] = 0 }
                else if x[j] < a + 1 { series[nSeries] = j; nSeries += 1 }
                else { fraction[nFraction] = j; nFraction += 1 }
            }
            var g = 0
            while g < nSeries {
                seriesLanes(first, second, count, x, series + g, min(4, nSeries - g), out, avx2: avx2)
                g += 4
            }
            g = 0
            while g < nFraction {
                fractionLanes(first, second, count, x, fraction + g, min(8, nFraction - g), out, avx2: avx2)
                g += 8
            }
            for k in 0 ..< nCopies { out[copies[k]] = out[copies[k] - 1] }
        }
    }

    /// Arguments x[idx[0..<n]] with their shapes and prefactors into `x`, `a`, `prefactor`
    /// (lane memory; the caller fills unused lanes: x = 1, a = 1, prefactor 0).
    @inline(__always)
    private static func gather(_ first: RegularizedGammaP, _ second: RegularizedGammaP, _ count: Int,
                               _ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int,
                               _ xOut: UnsafeMutablePointer<Double>, _ aOut: UnsafeMutablePointer<Double>,
                               _ prefactor: UnsafeMutablePointer<Double>) {
        for k in 0 ..< n {
            let j = idx[k], p = j < count ? first : second
            let xk = x[j]
            xOut[k] = xk; aOut[k] = p.a
            prefactor[k] = exp(p.a * log(xk) - xk - p.lnGammaA)
        }
    }

    /// `body` with lanes of type `V` holding the gathered arguments, shapes and prefactors (filled
    /// through memory: inserting SIMD elements one by one compiles to a shuffle each).
    @inline(__always)
    private static func withLanes<V: SIMD>(_ type: V.Type, _ first: RegularizedGammaP, _ second: RegularizedGammaP,
                                           _ count: Int, _ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int,
                                           _ body: (V, V, V) -> Void) where V.Scalar == Double {
        var v = V(repeating: 1), a = V(repeating: 1), pre = V(repeating: 0)
        withUnsafeMutableBytes(of: &v) { vb in
            withUnsafeMutableBytes(of: &a) { ab in
                withUnsafeMutableBytes(of: &pre) { pb in
                    gather(first, second, count, x, idx, n, vb.baseAddress!.assumingMemoryBound(to: Double.self),
                           ab.baseAddress!.assumingMemoryBound(to: Double.self), pb.baseAddress!.assumingMemoryBound(to: Double.self))
                }
            }
        }
        body(v, a, pre)
    }

    /// The series branch of ``callAsFunction(_:)`` on up to four arguments.
    @inline(__always)
    private static func seriesLanes(_ first: RegularizedGammaP, _ second: RegularizedGammaP, _ count: Int,
                                    _ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int,
                                    _ out: UnsafeMutablePointer<Double>, avx2: Bool) {
        withLanes(SIMD4<Double>.self, first, second, count, x, idx, n) { xv, a, prefactor in
            let result = avx2 ? ShowerKernelsAVX2.gammaSeries(x: xv, a: a, lanes: n)
                                                : ShowerKernels.gammaSeries(x: xv, a: a, lanes: n)
            let p = result * prefactor
            // min(1, p) as Swift's min: p < 1 ? p : 1.
            let value = SIMD4<Double>(repeating: 1).replacing(with: p, where: p .< 1)
            for k in 0 ..< n { out[idx[k]] = value[k] }
        }
    }

    /// The continued-fraction branch of ``callAsFunction(_:)`` on up to eight arguments.
    @inline(__always)
    private static func fractionLanes(_ first: RegularizedGammaP, _ second: RegularizedGammaP, _ count: Int,
                                      _ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int,
                                      _ out: UnsafeMutablePointer<Double>, avx2: Bool) {
        withLanes(Lanes8.self, first, second, count, x, idx, n) { xv, a, prefactor in
            let result = avx2 ? ShowerKernelsAVX2.gammaContinuedFraction(x: xv, a: a, lanes: n)
                                                : ShowerKernels.gammaContinuedFraction(x: xv, a: a, lanes: n)
            let q = 1 - prefactor * result
            // max(0, q) as Swift's max: q >= 0 ? q : 0.
            let value = Lanes8(repeating: 0).replacing(with: q, where: q .>= 0)
            for k in 0 ..< n { out[idx[k]] = value[k] }
        }
    }
}
