// Input scaling of the calorimeter images before the network (study §4) [ours].
import PortableMath

/// The map from cell energies (MeV) to network inputs.
///
/// ```
/// x = sign(E) · log(1 + |E| / 1 MeV) / 10
/// ```
/// [ours] Why: cell energies span ~6 orders of magnitude (noise-level MeV to tens of GeV in the
/// shower core); the logarithm keeps the shower *shape* visible to a 3×3 filter, where a linear
/// scale would show only the hottest cell. log1p keeps empty cells at exactly 0 and is smooth
/// near 0; the sign keeps electronic-noise fluctuations below zero finite and odd-symmetric;
/// dividing by 10 brings the largest cells (E ≈ 10⁵ MeV → 11.5) to O(1) for the N(0, 0.1²)
/// weight initialisation. Unlike a division by the total energy it keeps the absolute energy
/// scale, which separates the classes (and the noise burst) too.
///
/// The energy-normalised variant (a robustness check of study §4–§5, not the study's choice)
/// first rescales every event to the same total, E → E · 20 GeV / ΣE (ΣE over the event's cells;
/// an empty event stays empty), so that the network cannot use the energy sum — which, at a fixed
/// gun *kinetic* energy, carries each parent's rest mass — and must use the shape alone.
public struct Preprocessing: Sendable, Equatable {
    /// Divisor after the logarithm (10).
    public var scale: Float = 10
    /// The total every event is rescaled to, MeV (nil: no rescaling, the study's choice).
    public var normalisedTotalMeV: Float? = nil
    /// The study's choice.
    public init() {}
    /// The energy-normalised variant: every event rescaled to a total of 20 GeV.
    public static let energyNormalised: Preprocessing = { var p = Preprocessing(); p.normalisedTotalMeV = 20_000; return p }()
    /// A short description stored in checkpoints.
    public var name: String {
        if let t = normalisedTotalMeV { return "signed-log1p(E*\(Int(t))/sumE/MeV)/\(scale)" }
        return "signed-log1p(E/MeV)/\(scale)"
    }
    /// The preprocessing a checkpoint names (``name``), or nil if this build does not know it.
    public init?(named name: String) {
        for p in [Preprocessing(), .energyNormalised] where p.name == name { self = p; return }
        return nil
    }
    /// x for one cell energy E in MeV (after any rescaling of its event).
    @inline(__always) public func apply(_ energyMeV: Float) -> Float {
        let a = PortableMath.log1p(abs(energyMeV)) / scale
        return energyMeV < 0 ? -a : a
    }
    /// ``apply(_:)-(Float)`` on eight cells: every lane the same operations, so the same bits.
    @inline(__always) public func apply(_ energyMeV: SIMD8<Float>) -> SIMD8<Float> {
        // |E| by clearing the sign bit, as Swift's abs does (−0 → +0).
        let magnitude = unsafeBitCast(unsafeBitCast(energyMeV, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
        let a = PortableMath.log1p(magnitude) / scale
        return a.replacing(with: -a, where: energyMeV .< 0)
    }
    /// The inputs of one event's cells, appended to `out` (eight cells at a time; the
    /// logarithms are most of the cost of reading a dataset into a network).
    public func appendEvent(_ cells: ArraySlice<Float>, to out: inout [Float]) {
        var factor: Float = 1
        if let total = normalisedTotalMeV {
            // The sum in cell order (fixed), the factor once per event.
            var sum: Float = 0
            for e in cells { sum += e }
            factor = sum > 0 ? total / sum : 1
        }
        let rescale = normalisedTotalMeV != nil
        let start = out.count, n = cells.count
        out.append(contentsOf: repeatElement(0, count: n))
        out.withUnsafeMutableBufferPointer { o in
            cells.withUnsafeBufferPointer { c in
                let src = c.baseAddress!, dst = o.baseAddress! + start
                var i = 0
                while i + 8 <= n {
                    var e = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
                    if rescale { e = e * factor }
                    UnsafeMutableRawPointer(dst + i).storeBytes(of: apply(e), as: SIMD8<Float>.self)
                    i += 8
                }
                while i < n { dst[i] = apply(rescale ? src[i] * factor : src[i]); i += 1 }
            }
        }
    }
    /// Applied to every event of `cells` (events of `cellsPerEvent` cells each).
    public func apply(_ cells: [Float], cellsPerEvent: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(cells.count)
        for e in 0 ..< cells.count / max(cellsPerEvent, 1) {
            appendEvent(cells[e * cellsPerEvent ..< (e + 1) * cellsPerEvent], to: &out)
        }
        return out
    }
}
