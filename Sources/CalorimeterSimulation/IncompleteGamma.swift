// The regularised lower incomplete gamma function P(a, x) for a fixed shape a, evaluated many
// times per shower (GFlash, hep-ex/0001020: the energy in [t₁, t₂] is P(α, βt₂) − P(α, βt₁)).
//
// GSL's gsl_sf_gamma_inc_P recomputes ln Γ(a) on every call; a shower evaluates P about 70 times
// at the same a, so we cache ln Γ(a) (from GSL) and sum the classic series / continued fraction
// (Abramowitz & Stegun 6.5.29 and 6.5.31; the modified Lentz algorithm, Thompson & Barnett 1986).
// Tests check it against gsl_sf_gamma_inc_P to 1e-12.
import CNumerics
import Foundation

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
    /// P(a, xⱼ) for j < `count` into `out`: the same bits as ``callAsFunction(_:)`` at each xⱼ,
    /// four arguments at a time. The series and the continued fraction are iterated on SIMD4
    /// lanes; a lane stops updating at the iteration where the scalar loop would break, so it
    /// runs exactly the scalar's operations. The prefactor xᵃe⁻ˣ/Γ(a) is libm's, per argument, as
    /// in the scalar version. (A shower evaluates P at all its step boundaries at once: the
    /// scalar loops are latency-bound, four independent lanes are not.)
    func values(at x: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        guard count > 0 else { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * count + 8) { index in
            let series = index.baseAddress!, fraction = series + count + 4
            var nSeries = 0, nFraction = 0
            for j in 0 ..< count {
                if x[j] <= 0 { out[j] = 0 } else if x[j] < a + 1 { series[nSeries] = j; nSeries += 1 } else { fraction[nFraction] = j; nFraction += 1 }
            }
            var g = 0
            while g < nSeries {
                seriesLanes(x, series + g, min(4, nSeries - g), out)
                g += 4
            }
            g = 0
            while g < nFraction {
                fractionLanes(x, fraction + g, min(4, nFraction - g), out)
                g += 4
            }
        }
    }

    /// |v| per lane (the sign bit cleared, as `abs`).
    @inline(__always) private func magnitude(_ v: Lanes) -> Lanes {
        unsafeBitCast(unsafeBitCast(v, to: SIMD4<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: Lanes.self)
    }

    /// The arguments x[idx[0..<n]] in lanes (unused lanes 1, inactive), their prefactors, the mask.
    @inline(__always)
    private func gather(_ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int)
        -> (x: Lanes, prefactor: Lanes, active: SIMDMask<SIMD4<Int64>>) {
        var v = Lanes(repeating: 1), pre = Lanes(repeating: 0)
        var active = SIMDMask<SIMD4<Int64>>(repeating: false)
        for k in 0 ..< n {
            let xk = x[idx[k]]
            v[k] = xk
            pre[k] = exp(a * log(xk) - xk - lnGammaA)
            active[k] = true
        }
        return (v, pre, active)
    }

    /// The series branch of ``callAsFunction(_:)`` on up to four arguments.
    @inline(__always)
    private func seriesLanes(_ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int, _ out: UnsafeMutablePointer<Double>) {
        let (xv, prefactor, start) = gather(x, idx, n)
        var active = start
        var ap = a
        var term = Lanes(repeating: 1 / a), sum = term
        for _ in 0 ..< 500 {
            ap += 1
            let newTerm = term * (xv / ap)
            let newSum = sum + newTerm
            term.replace(with: newTerm, where: active)
            sum.replace(with: newSum, where: active)
            active = active .& .!(magnitude(newTerm) .< magnitude(newSum) * 1e-15)
            if !any(active) { break }
        }
        let p = sum * prefactor
        // min(1, p) as Swift's min: p < 1 ? p : 1.
        let result = Lanes(repeating: 1).replacing(with: p, where: p .< 1)
        for k in 0 ..< n { out[idx[k]] = result[k] }
    }

    /// The continued-fraction branch of ``callAsFunction(_:)`` on up to four arguments.
    @inline(__always)
    private func fractionLanes(_ x: UnsafePointer<Double>, _ idx: UnsafePointer<Int>, _ n: Int, _ out: UnsafeMutablePointer<Double>) {
        let (xv, prefactor, start) = gather(x, idx, n)
        var active = start
        let tiny = 1e-300
        var b = xv + 1 - a, c = Lanes(repeating: 1 / tiny), d = 1 / b, h = d
        for i in 1 ..< 500 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            var dn = an * d + b
            dn.replace(with: tiny, where: magnitude(dn) .< tiny)
            var cn = b + an / c
            cn.replace(with: tiny, where: magnitude(cn) .< tiny)
            dn = 1 / dn
            let delta = dn * cn
            d.replace(with: dn, where: active)
            c.replace(with: cn, where: active)
            h.replace(with: h * delta, where: active)
            active = active .& .!(magnitude(delta - 1) .< 1e-15)
            if !any(active) { break }
        }
        let q = 1 - prefactor * h
        // max(0, q) as Swift's max: q >= 0 ? q : 0.
        let result = Lanes(repeating: 0).replacing(with: q, where: q .>= 0)
        for k in 0 ..< n { out[idx[k]] = result[k] }
    }
}
