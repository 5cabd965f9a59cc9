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
public struct Preprocessing: Sendable, Equatable {
    /// Divisor after the logarithm (10).
    public var scale: Float = 10
    /// The study's choice.
    public init() {}
    /// A short description stored in checkpoints.
    public var name: String { "signed-log1p(E/MeV)/\(scale)" }
    /// x for one cell energy E in MeV.
    @inline(__always) public func apply(_ energyMeV: Float) -> Float {
        let a = PortableMath.log1p(abs(energyMeV)) / scale
        return energyMeV < 0 ? -a : a
    }
    /// Applied to every cell.
    public func apply(_ cells: [Float]) -> [Float] { cells.map(apply) }
}

