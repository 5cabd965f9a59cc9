// Particle species and their forced decay modes (Paper §3's table of classes;
// the DocC article 'The toy calorimeter', section 'Decays and the gun').
// Masses from the PDG (Review of Particle Physics 2024), MeV.
import Foundation

/// How a final-state particle interacts with the calorimeter.
public enum ShowerKind: String, Sendable {
    /// Converts at an exponential depth, then showers (photons).
    case photon
    /// Showers from the front face (e±).
    case electron
}

/// A particle species: a name, a mass and, for final-state particles, how it showers.
public struct Species: Sendable, Hashable {
    /// Name used in decay tables and documentation, e.g. `"pi0"`.
    public let name: String
    /// Mass in MeV.
    public let mass: Double
    /// Non-nil for particles the calorimeter showers; nil for particles that must decay.
    public let shower: ShowerKind?

    /// A species; `shower` nil means it must be given a decay mode.
    public init(name: String, mass: Double, shower: ShowerKind? = nil) {
        self.name = name; self.mass = mass; self.shower = shower
    }

    public static func == (a: Species, b: Species) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }

    /// γ.
    public static let photon = Species(name: "gamma", mass: 0, shower: .photon)
    /// e⁻, 0.51100 MeV.
    public static let electron = Species(name: "e-", mass: 0.51099895, shower: .electron)
    /// e⁺, 0.51100 MeV.
    public static let positron = Species(name: "e+", mass: 0.51099895, shower: .electron)
    /// π⁰, 134.977 MeV.
    public static let pi0 = Species(name: "pi0", mass: 134.9768)
    /// η, 547.862 MeV.
    public static let eta = Species(name: "eta", mass: 547.862)
    /// η′(958), 957.78 MeV.
    public static let etaPrime = Species(name: "eta_prime", mass: 957.78)
    /// J/ψ, 3096.900 MeV.
    public static let jpsi = Species(name: "J/psi", mass: 3096.900)
}

/// A particle in the lab frame: its species and four-momentum (MeV).
public struct Particle: Sendable {
    /// What it is.
    public var species: Species
    /// Its lab four-momentum, MeV.
    public var momentum: FourMomentum

    /// A particle of `species` with lab four-momentum `momentum`.
    public init(_ species: Species, _ momentum: FourMomentum) {
        self.species = species; self.momentum = momentum
    }
}

/// A decay mode: parent → products, with a sampler of the lab momenta of the products.
///
/// The sampler receives the parent's lab four-momentum; its result must list the products in
/// the order of `products`. Extend the study with new channels by writing one of these.
public struct DecayMode: Sendable {
    /// The decaying species.
    public let parent: Species
    /// The decay products, in the order the sampler returns them.
    public let products: [Species]
    /// Lab four-momenta of the products for a parent of the given lab four-momentum.
    public let sample: @Sendable (FourMomentum, RandomStream) -> [FourMomentum]

    /// A decay mode from its sampler.
    public init(parent: Species, products: [Species],
                sample: @escaping @Sendable (FourMomentum, RandomStream) -> [FourMomentum]) {
        self.parent = parent; self.products = products; self.sample = sample
    }

    /// An isotropic two-body decay (an unpolarised parent from a gun).
    public static func twoBody(_ parent: Species, _ a: Species, _ b: Species) -> DecayMode {
        DecayMode(parent: parent, products: [a, b]) { p, rng in
            let (x, y) = TwoBody.isotropic(p, a.mass, b.mass, rng: rng)
            return [x, y]
        }
    }

    /// A three-body decay distributed as phase space × |M|² (`envelope` ≥ max |M|²).
    public static func threeBody(_ parent: Species, _ a: Species, _ b: Species, _ c: Species,
                                 envelope: Double,
                                 matrixElement: @escaping @Sendable ([FourMomentum]) -> Double) -> DecayMode {
        DecayMode(parent: parent, products: [a, b, c]) { p, rng in
            ThreeBody.decay(p, a.mass, b.mass, c.mass, envelope: envelope, rng: rng, matrixElement: matrixElement)
        }
    }
}

/// The decay modes of the study (<doc:TheToyCalorimeter>, section "Decays and the gun").
public enum StudyDecays {
    /// π⁰ → γγ.
    public static let pi0ToGammaGamma = DecayMode.twoBody(.pi0, .photon, .photon)
    /// η → γγ.
    public static let etaToGammaGamma = DecayMode.twoBody(.eta, .photon, .photon)
    /// η′ → γγ.
    public static let etaPrimeToGammaGamma = DecayMode.twoBody(.etaPrime, .photon, .photon)
    /// J/ψ → e⁺e⁻ (isotropic; the 1 + cos²θ of a transversely polarised J/ψ is not used
    /// because a gun's J/ψ is unpolarised).
    public static let jpsiToEE = DecayMode.twoBody(.jpsi, .electron, .positron)

    /// η → 3π⁰ with |M|² ∝ 1 + 2αZ, α = −0.0318 (PDG 2024),
    /// Z = (2/3) Σᵢ (3Tᵢ/Q − 1)², Q = m_η − 3m_π⁰, Tᵢ the π⁰ kinetic energies in the η frame.
    /// α < 0 and Z ≥ 0, so |M|² ≤ 1: the envelope is 1.
    public static let etaToThreePi0 = DecayMode.threeBody(.eta, .pi0, .pi0, .pi0, envelope: 1) { d in
        etaThreePi0MatrixElement(d)
    }

    /// |M|² of η → 3π⁰ for rest-frame daughters (see ``etaToThreePi0``).
    public static func etaThreePi0MatrixElement(_ d: [FourMomentum]) -> Double {
        let alpha = -0.0318
        let q = Species.eta.mass - 3 * Species.pi0.mass
        let z = (2.0 / 3.0) * d.reduce(0) { s, p in let u = 3 * p.kineticEnergy / q - 1; return s + u * u }
        return 1 + 2 * alpha * z
    }

    /// η′ → ηπ⁰π⁰ with |M|² ∝ 1 + aY + bY² + dX², a = −0.087, b = −0.073, d = −0.074
    /// (BESIII, Phys. Rev. D 97, 012003 (2018)), X = √3 (T_π1 − T_π2)/Q,
    /// Y = ((m_η + 2m_π)/m_π) T_η/Q − 1, Q = m_η′ − m_η − 2m_π. Products ordered (η, π⁰, π⁰).
    /// Envelope: with a, b, d < 0 and Y ≥ −1, |M|² ≤ 1 + a²/(4|b|) ≈ 1.026; we use 1.03.
    public static let etaPrimeToEtaPi0Pi0 = DecayMode.threeBody(.etaPrime, .eta, .pi0, .pi0,
                                                                envelope: 1.03) { d in
        etaPrimeMatrixElement(d)
    }

    /// |M|² of η′ → ηπ⁰π⁰ for rest-frame daughters ordered (η, π⁰, π⁰).
    public static func etaPrimeMatrixElement(_ d: [FourMomentum]) -> Double {
        let (a, b, dd) = (-0.087, -0.073, -0.074)
        let mEta = Species.eta.mass, mPi = Species.pi0.mass
        let q = Species.etaPrime.mass - mEta - 2 * mPi
        let x = 3.0.squareRoot() * (d[1].kineticEnergy - d[2].kineticEnergy) / q
        let y = (mEta + 2 * mPi) / mPi * d[0].kineticEnergy / q - 1
        return 1 + a * y + b * y * y + dd * x * x
    }

    /// π⁰ → γ e⁺e⁻ (Dalitz), Kroll–Wada with a linear form factor; see ``Dalitz``.
    public static let pi0Dalitz = DecayMode(parent: .pi0, products: [.photon, .electron, .positron]) { p, rng in
        Dalitz.decay(p, rng: rng)
    }
}

/// The π⁰ Dalitz decay π⁰ → γ γ* → γ e⁺e⁻ (Kroll & Wada, Phys. Rev. 98 (1955) 1355;
/// form-factor slope a = 0.0335, PDG 2024).
///
/// With x = m_ee²/m_π² and r = m_e²/m_π², 4r ≤ x ≤ 1:
/// ```
///     dΓ/dx ∝ (1/x) (1 − x)³ (1 + 2r/x) √(1 − 4r/x) |1 + a x|²
/// ```
/// and the lepton polar angle θ in the e⁺e⁻ frame, relative to the γ* flight direction,
/// ```
///     dΓ/dcosθ ∝ 1 + cos²θ + (4m_e²/m_ee²) sin²θ.
/// ```
public enum Dalitz {
    /// Form-factor slope a.
    public static let slope = 0.0335

    /// The unnormalised density of x = m_ee²/m_π² (see the type's documentation).
    public static func density(x: Double) -> Double {
        let r = pow(Species.electron.mass / Species.pi0.mass, 2)
        guard x > 4 * r, x < 1 else { return 0 }
        let ff = 1 + slope * x
        return (1 / x) * pow(1 - x, 3) * (1 + 2 * r / x) * (1 - 4 * r / x).squareRoot() * ff * ff
    }

    /// Draw x by accept–reject with proposal ∝ 1/x (ln x uniform on [ln 4r, 0]); the remaining
    /// factor (1−x)³(1+2r/x)√(1−4r/x)(1+ax)² ≤ 1.5 (1+a)² bounds the acceptance test.
    public static func sampleX(rng: RandomStream) -> Double {
        let r = pow(Species.electron.mass / Species.pi0.mass, 2)
        let lnMin = log(4 * r)
        let bound = 1.5 * (1 + slope) * (1 + slope)
        while true {
            let x = exp(lnMin * (1 - rng.uniform()))
            let ff = 1 + slope * x
            let f = pow(1 - x, 3) * (1 + 2 * r / x) * max(1 - 4 * r / x, 0).squareRoot() * ff * ff
            if rng.uniform() * bound < f { return x }
        }
    }

    /// The decay of a π⁰ with lab four-momentum `pion` into (γ, e⁻, e⁺), lab frame.
    public static func decay(_ pion: FourMomentum, rng: RandomStream) -> [FourMomentum] {
        let me = Species.electron.mass
        let mee = (sampleX(rng: rng)).squareRoot() * Species.pi0.mass
        // π⁰ → γ γ* isotropic in the π⁰ frame.
        let n = rng.isotropicDirection()
        let (gamma, virtualPhoton) = TwoBody.decayAtRest(parent: Species.pi0.mass, 0, mee, direction: n)
        // γ* → e⁺e⁻: polar angle about the γ* direction (−n), by accept–reject on [−1, 1].
        let k = 4 * me * me / (mee * mee)  // ≤ 1, so the density ≤ 2
        var cosTheta = 0.0
        repeat { cosTheta = 2 * rng.uniform() - 1 }
        while rng.uniform() * 2 >= 1 + cosTheta * cosTheta + k * (1 - cosTheta * cosTheta)
        let phi = 2 * Double.pi * rng.uniform()
        let sinTheta = (1 - cosTheta * cosTheta).squareRoot()
        // Orthonormal frame (u, v, w) with w along the γ* direction.
        let w = (x: -n.x, y: -n.y, z: -n.z)
        let helper = abs(w.z) < 0.9 ? (x: 0.0, y: 0.0, z: 1.0) : (x: 1.0, y: 0.0, z: 0.0)
        var u = (x: helper.y * w.z - helper.z * w.y, y: helper.z * w.x - helper.x * w.z, z: helper.x * w.y - helper.y * w.x)
        let un = (u.x * u.x + u.y * u.y + u.z * u.z).squareRoot()
        u = (u.x / un, u.y / un, u.z / un)
        let v = (x: w.y * u.z - w.z * u.y, y: w.z * u.x - w.x * u.z, z: w.x * u.y - w.y * u.x)
        let dir = (x: sinTheta * cos(phi) * u.x + sinTheta * sin(phi) * v.x + cosTheta * w.x,
                   y: sinTheta * cos(phi) * u.y + sinTheta * sin(phi) * v.y + cosTheta * w.y,
                   z: sinTheta * cos(phi) * u.z + sinTheta * sin(phi) * v.z + cosTheta * w.z)
        let (em, ep) = TwoBody.decayAtRest(parent: mee, me, me, direction: dir)
        let inPion = [gamma, em.boosted(toFrameOf: virtualPhoton), ep.boosted(toFrameOf: virtualPhoton)]
        return inPion.map { $0.boosted(toFrameOf: pion) }
    }
}
