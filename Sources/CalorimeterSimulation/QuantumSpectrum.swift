// The energy spectrum of the halo's quanta, as a table a 16-bit uniform looks up: the quanta of
// every tuning until `albedofit` are exponentially distributed (−ln u), which puts one quantum in
// six below a sixth of the mean; a gamma distribution of shape k > 1 and the same mean has fewer
// small quanta (`spectrum`, whose values the compiled tuning `carrystep` keeps, has k = 1.731). Why it is a parameter: in Geant4's showers a soft photon ends in one photo-absorption or
// a short Compton chain and leaves a few hundred keV to a few MeV in one cell, and Geant4's
// layers 0–2 have fewer cells below 0.1 MeV and more above 0.3 MeV than ours (`calobnn validate`,
// table `occupancy`).
import CNumerics
import Foundation

/// Tables of the halo quanta's energy spectrum, one per shape k: entry i is −x_i, where x_i is
/// the upper-tail quantile of Γ(k, 1/k) (mean 1, variance 1/k) at u = (i + ½)/``entries``, i.e.
/// the x with Q(k, k x) = u (Q = 1 − P, the regularised upper incomplete gamma function). For
/// k = 1 this is ln u, what the exponential spectrum's table holds (the simulator keeps its own
/// 16-bit log table there, so a tuning with k = 1 makes the showers it made before the spectrum
/// existed, bit for bit). Negated so that a
/// quantum's energy is −table[i] for either table. A quantum's 16 energy bits index it by their
/// top 12 (``indexShift``).
public enum QuantumSpectrum {
    /// Entries of a table: 4096 (our choice: 32 KiB, which stays in the processor's nearest caches;
    /// a table of 65 536, as the logarithms' 16 bits, cost the simulator 3–10 % of its events per
    /// second by crowding them out, `calobnn bench --only simulator --set halo_quantum_shape=1.731`
    /// against 1). The spectrum's energies then come in 4096 equiprobable steps, and its far tail
    /// ends at the quantile of 1/8192 (for the exponential 9.0 ε̄ instead of 11.8).
    public static let entries = 4096
    /// The right shift from a quantum's 16 energy bits to its entry.
    public static let indexShift: UInt32 = 4

    /// The table's ``entries`` for shape `k` (> 0), computed: Newton's method on P(k, y) = 1 − u
    /// for y = k x, kept inside a bracket that halves when a step leaves it, to |Δy| ≤ 10⁻¹³ y.
    public static func quantiles(shape k: Double) -> [Double] {
        precondition(k > 0 && k.isFinite, "QuantumSpectrum: the shape must be > 0 (got \(k))")
        let p = RegularizedGammaP(a: k), n = Double(entries)
        return (0 ..< entries).map { i in
            let target = 1 - (Double(i) + 0.5) / n
            // Bracket: P(k, 0) = 0 < target; P grows without bound towards 1.
            var lo = 0.0, hi = max(2 * k, 1.0)
            while p(hi) < target { lo = hi; hi *= 2 }
            var y = 0.5 * (lo + hi)
            for _ in 0 ..< 200 {
                let f = p(y) - target
                if f < 0 { lo = y } else { hi = y }
                // The density of Γ(k, 1) at y: y^(k−1) e^(−y) / Γ(k).
                let density = exp((k - 1) * log(y) - y - p.lnGammaA)
                var next = y - f / density
                if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
                let done = abs(next - y) <= 1e-13 * y
                y = next
                if done || hi - lo <= 1e-15 * hi { break }
            }
            return -y / k
        }
    }

    /// A table of ``entries`` values (−quantile of Γ(k, 1/k), see the type's description), made
    /// once per process and shape and never freed (a fit or a validation uses one or two shapes).
    /// A model holds it from the moment its shape is set (``SoftPhotonHalo/spectrum``), so that
    /// a shower reads it without asking the cache.
    public final class Table: @unchecked Sendable {
        /// The shape k.
        public let shape: Double
        /// The entries: immutable once made, so any thread may read them.
        public let entries: UnsafePointer<Double>
        fileprivate init(shape: Double, entries: UnsafePointer<Double>) { self.shape = shape; self.entries = entries }
    }

    /// The table of shape `k`, from the process's cache or made now.
    public static func table(shape k: Double) -> Table {
        cache.lock.lock(); defer { cache.lock.unlock() }
        if let t = cache.tables[k] { return t }
        let values = quantiles(shape: k)
        let entries = UnsafeMutablePointer<Double>.allocate(capacity: values.count)
        entries.initialize(from: values, count: values.count)
        let t = Table(shape: k, entries: UnsafePointer(entries))
        cache.tables[k] = t
        return t
    }

    /// The tables made so far, by shape (never freed: a process makes few).
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var tables: [Double: Table] = [:]
    }
    private static let cache = Cache()
}
