// Relativistic kinematics for the particle gun and the decay chains (Paper §3; the DocC article
// 'The toy calorimeter', section 'Decays and the gun').
// Units: MeV for energies, momenta and masses (c = 1).
import Foundation

/// A four-momentum (E, p⃗) in MeV.
public struct FourMomentum: Sendable, Equatable {
    /// Energy, MeV.
    public var e: Double
    /// Momentum x component, MeV.
    public var px: Double
    /// Momentum y component, MeV.
    public var py: Double
    /// Momentum z component, MeV.
    public var pz: Double

    /// A four-momentum from its components (MeV).
    public init(e: Double, px: Double, py: Double, pz: Double) {
        self.e = e; self.px = px; self.py = py; self.pz = pz
    }

    /// A particle of `mass` at rest.
    public static func atRest(mass: Double) -> FourMomentum { FourMomentum(e: mass, px: 0, py: 0, pz: 0) }

    /// |p⃗|, MeV.
    public var p: Double { (px * px + py * py + pz * pz).squareRoot() }
    /// Invariant mass √(E² − p²), MeV (0 for slightly negative m² from rounding).
    public var mass: Double { max(e * e - px * px - py * py - pz * pz, 0).squareRoot() }
    /// Kinetic energy E − m, MeV.
    public var kineticEnergy: Double { e - mass }

    /// Component-wise sum.
    public static func + (a: FourMomentum, b: FourMomentum) -> FourMomentum {
        FourMomentum(e: a.e + b.e, px: a.px + b.px, py: a.py + b.py, pz: a.pz + b.pz)
    }

    /// The Lorentz boost of this four-momentum by velocity β⃗ = (bx, by, bz) (|β| < 1):
    /// ```
    ///     γ = 1/√(1−β²),   β·p = β⃗·p⃗
    ///     E' = γ (E + β·p)
    ///     p⃗' = p⃗ + [ (γ−1)(β·p)/β² + γE ] β⃗
    /// ```
    public func boosted(bx: Double, by: Double, bz: Double) -> FourMomentum {
        let b2 = bx * bx + by * by + bz * bz
        guard b2 > 0 else { return self }
        let gamma = 1 / (1 - b2).squareRoot()
        let bp = bx * px + by * py + bz * pz
        let k = (gamma - 1) * bp / b2 + gamma * e
        return FourMomentum(e: gamma * (e + bp), px: px + k * bx, py: py + k * by, pz: pz + k * bz)
    }

    /// Boost from the rest frame of `frame` (a four-momentum) to the frame where `frame` is given.
    public func boosted(toFrameOf frame: FourMomentum) -> FourMomentum {
        boosted(bx: frame.px / frame.e, by: frame.py / frame.e, bz: frame.pz / frame.e)
    }

    /// Opening angle between two momenta, radians.
    public func openingAngle(with o: FourMomentum) -> Double {
        let c = (px * o.px + py * o.py + pz * o.pz) / (p * o.p)
        return acos(min(max(c, -1), 1))
    }
}

/// Two-body kinematics.
public enum TwoBody {
    /// Momentum of either daughter in the rest frame of a parent of mass M decaying to m₁ + m₂:
    /// ```
    ///     p* = √[(M² − (m₁+m₂)²)(M² − (m₁−m₂)²)] / 2M
    /// ```
    public static func momentum(parent m: Double, _ m1: Double, _ m2: Double) -> Double {
        let a = m * m - (m1 + m2) * (m1 + m2), b = m * m - (m1 - m2) * (m1 - m2)
        return max(a * b, 0).squareRoot() / (2 * m)
    }

    /// Daughters of a decay at rest with the first daughter along `direction` (unit vector).
    public static func decayAtRest(parent m: Double, _ m1: Double, _ m2: Double,
                                   direction d: (x: Double, y: Double, z: Double)) -> (FourMomentum, FourMomentum) {
        let p = momentum(parent: m, m1, m2)
        let a = FourMomentum(e: (p * p + m1 * m1).squareRoot(), px: p * d.x, py: p * d.y, pz: p * d.z)
        let b = FourMomentum(e: (p * p + m2 * m2).squareRoot(), px: -p * d.x, py: -p * d.y, pz: -p * d.z)
        return (a, b)
    }

    /// An isotropic two-body decay of `parent` (lab frame) into masses m₁, m₂, returned in the lab.
    public static func isotropic(_ parent: FourMomentum, _ m1: Double, _ m2: Double,
                                 rng: RandomStream) -> (FourMomentum, FourMomentum) {
        let (a, b) = decayAtRest(parent: parent.mass, m1, m2, direction: rng.isotropicDirection())
        return (a.boosted(toFrameOf: parent), b.boosted(toFrameOf: parent))
    }
}

/// Flat three-body phase space by the Raubold–Lynch method (F. James, CERN 68-15, "GENBOD"),
/// with an accept–reject step on a matrix element.
public enum ThreeBody {
    /// One phase-space point of M → m₁ m₂ m₃ in the parent rest frame, with its weight
    /// w = p*(M; m₁₂, m₃) · p*(m₁₂; m₁, m₂), for m₁₂ drawn uniformly in [m₁+m₂, M−m₃].
    public static func phaseSpacePoint(parent m: Double, _ m1: Double, _ m2: Double, _ m3: Double,
                                       rng: RandomStream) -> (daughters: [FourMomentum], weight: Double) {
        let m12 = m1 + m2 + rng.uniform() * (m - m1 - m2 - m3)
        let pA = TwoBody.momentum(parent: m, m12, m3)
        let pB = TwoBody.momentum(parent: m12, m1, m2)
        // M → (12) + 3, isotropic; then (12) → 1 + 2 isotropic in the (12) frame.
        let (p12, p3) = TwoBody.decayAtRest(parent: m, m12, m3, direction: rng.isotropicDirection())
        let (q1, q2) = TwoBody.decayAtRest(parent: m12, m1, m2, direction: rng.isotropicDirection())
        return ([q1.boosted(toFrameOf: p12), q2.boosted(toFrameOf: p12), p3], pA * pB)
    }

    /// The largest phase-space weight, bounded by p*_max(M; m₁+m₂, m₃) · p*_max(M−m₃; m₁, m₂).
    public static func maxWeight(parent m: Double, _ m1: Double, _ m2: Double, _ m3: Double) -> Double {
        TwoBody.momentum(parent: m, m1 + m2, m3) * TwoBody.momentum(parent: m - m3, m1, m2)
    }

    /// Decay `parent` (lab) into m₁ m₂ m₃ distributed as phase space × |M|², by accept–reject.
    /// `matrixElement` receives the rest-frame daughters and must be ≤ `envelope`.
    public static func decay(_ parent: FourMomentum, _ m1: Double, _ m2: Double, _ m3: Double,
                             envelope: Double, rng: RandomStream,
                             matrixElement: ([FourMomentum]) -> Double) -> [FourMomentum] {
        let m = parent.mass
        let wMax = maxWeight(parent: m, m1, m2, m3) * envelope
        while true {
            let (daughters, w) = phaseSpacePoint(parent: m, m1, m2, m3, rng: rng)
            let me = matrixElement(daughters)
            precondition(me <= envelope * (1 + 1e-12), "matrix element \(me) exceeds its envelope \(envelope)")
            if rng.uniform() * wMax < w * me {
                return daughters.map { $0.boosted(toFrameOf: parent) }
            }
        }
    }
}
