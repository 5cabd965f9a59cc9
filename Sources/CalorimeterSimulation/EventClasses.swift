// The event classes of the study (the table of classes in Paper §3, usecase.tex; the DocC article
// 'The toy calorimeter') and the registry users extend.
import Foundation

/// The particle gun of the study: one particle along +z through the centre of the calorimeter,
/// fired from `distanceMM` in front of the face with kinetic energy `kineticEnergyGeV`.
public struct ParticleGun: Sendable, Equatable {
    /// Distance from the gun to the calorimeter's front face, mm (study: 1 m).
    public var distanceMM: Double = 1000
    /// Kinetic energy of the gun particle, GeV (study: 20 GeV).
    public var kineticEnergyGeV: Double = 20

    /// A gun; defaults are the study's.
    public init(distanceMM: Double = 1000, kineticEnergyGeV: Double = 20) {
        self.distanceMM = distanceMM; self.kineticEnergyGeV = kineticEnergyGeV
    }

    /// Lab four-momentum of a particle of `mass` (MeV) fired along +z:
    /// E = T + m, p = √(T(T + 2m)).
    public func momentum(mass: Double) -> FourMomentum {
        let t = kineticEnergyGeV * 1000
        return FourMomentum(e: t + mass, px: 0, py: 0, pz: (t * (t + 2 * mass)).squareRoot())
    }
}

/// Everything one event needs besides its class: the detector, the shower model, the gun,
/// the deposit mode and noise.
public struct SimulationSettings: Sendable {
    /// Detector geometry and material.
    public var geometry: CalorimeterGeometry = .caloGAN
    /// The gun.
    public var gun = ParticleGun()
    /// Total or visible deposits.
    public var mode: DepositMode = .total
    /// Electronic noise, or nil for none (our default: none, as the CaloGAN data).
    public var noise: ElectronicNoise? = nil
    /// The GFlash model (built from the geometry's medium).
    public var showers: ShowerModel

    /// Settings with the study's defaults.
    public init(geometry: CalorimeterGeometry = .caloGAN, gun: ParticleGun = ParticleGun(),
                mode: DepositMode = .total, noise: ElectronicNoise? = nil) {
        self.geometry = geometry; self.gun = gun; self.mode = mode; self.noise = noise
        self.showers = ShowerModel(medium: geometry.medium)
    }

    /// Factor from the total-deposit energy scale to this mode's scale (1, or the sampling fraction).
    /// In the ``ShowerTuning/geant4`` tuning the LAr fraction of a shower is Geant4's 0.190 (the
    /// mean LAr/(Pb + LAr) of every reference sample, 0.1904–0.1908), else GFlash's ê × mip fraction.
    public var energyScale: Double {
        mode == .total ? 1 : (showers.tuning == .geant4 ? 0.190 : geometry.medium.electronSamplingFraction)
    }
}

/// How an event class makes an event.
public enum EventRecipe: Sendable {
    /// A gun particle decayed through a forced chain; every final-state γ/e± showers.
    case decayChain(parent: Species, modes: [DecayMode])
    /// Anything that writes the readout directly (e.g. the noise burst), given the settings.
    case readout(@Sendable (inout CalorimeterImage, SimulationSettings, RandomStream) -> Void)
}

/// One class of events: a name (for the CLI and the HDF5 attributes), a label for figures,
/// and its recipe.
public struct EventClass: Sendable {
    /// Machine name, e.g. `"pi0_gg"`; unique within a registry.
    public let name: String
    /// Human label with Unicode physics notation, e.g. `"π⁰ → γγ"`.
    public let label: String
    /// One sentence on the final state.
    public let summary: String
    /// How events are made.
    public let recipe: EventRecipe

    /// A class from its parts.
    public init(name: String, label: String, summary: String, recipe: EventRecipe) {
        self.name = name; self.label = label; self.summary = summary; self.recipe = recipe
    }

    /// A class whose gun particle decays through `modes` (one mode per unstable species, the
    /// branching ratio forced to 1), e.g. `.decay("eta_3pi0", "η → 3π⁰", parent: .eta,
    /// modes: [StudyDecays.etaToThreePi0, StudyDecays.pi0ToGammaGamma])`.
    public static func decay(_ name: String, _ label: String, summary: String = "",
                             parent: Species, modes: [DecayMode]) -> EventClass {
        EventClass(name: name, label: label, summary: summary,
                   recipe: .decayChain(parent: parent, modes: modes))
    }
}

/// The noise-burst class (class 9 of Paper §3; <doc:TheToyCalorimeter>; parameters our
/// choice, as the talk gives only "a burst in the 2nd layer with 1 % cross-talk to neighbouring cells").
///
/// No particle. One cell of the middle layer, chosen uniformly, receives a burst energy
/// E_b ~ Uniform(0.5, 1.5) × T_gun (10–30 GeV at the study's 20 GeV: "of the order of the gun
/// energy"); each of its (up to) 4 edge-sharing neighbours receives 1 % of E_b as cross-talk
/// (our choice of 4: capacitive cross-talk couples adjacent electrodes). Energies are at the
/// mode's scale (× the sampling fraction in visible mode), so a burst reads like a shower of
/// the same calibrated energy. The other layers carry only electronic noise, if enabled.
public struct NoiseBurst: Sendable {
    /// Readout layer that bursts (1 = the middle layer).
    public var layer = 1
    /// Burst energy range as fractions of the gun's kinetic energy.
    public var energyFractionRange: ClosedRange<Double> = 0.5 ... 1.5
    /// Cross-talk fraction into each neighbour.
    public var crossTalk = 0.01

    /// The study's burst.
    public init() {}

    /// Write one burst into `image`.
    public func apply(to image: inout CalorimeterImage, settings: SimulationSettings, rng: RandomStream) {
        let g = settings.geometry, layer = g.layers[self.layer]
        let ix = rng.integer(below: layer.cellsX), iy = rng.integer(below: layer.cellsY)
        let f = energyFractionRange.lowerBound + rng.uniform() * (energyFractionRange.upperBound - energyFractionRange.lowerBound)
        let burst = f * settings.gun.kineticEnergyGeV * 1000 * settings.energyScale
        let offset = g.layerOffsets[self.layer]
        image.cells[offset + ix * layer.cellsY + iy] += Float(burst)
        for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
            let jx = ix + dx, jy = iy + dy
            guard jx >= 0, jx < layer.cellsX, jy >= 0, jy < layer.cellsY else { continue }
            image.cells[offset + jx * layer.cellsY + jy] += Float(crossTalk * burst)
        }
    }
}

/// An ordered, name-unique set of event classes. Labels in datasets are indices into it.
///
/// Extend the study by registering a class built from a new ``DecayMode`` (or a single particle
/// with no modes), without touching the simulator:
/// ```swift
/// var registry = EventRegistry.study
/// let omega = Species(name: "omega", mass: 782.66)
/// registry.register(.decay("omega_pi0g", "ω → π⁰γ", parent: omega,
///     modes: [.twoBody(omega, .pi0, .photon), StudyDecays.pi0ToGammaGamma]))
/// ```
public struct EventRegistry: Sendable {
    /// The classes, in label order.
    public private(set) var classes: [EventClass] = []

    /// An empty registry.
    public init() {}

    /// Add a class at the end (its label is the next index). Names must be unique.
    public mutating func register(_ c: EventClass) {
        precondition(index(of: c.name) == nil, "event class '\(c.name)' is already registered")
        classes.append(c)
    }

    /// The label of the class named `name`, if registered.
    public func index(of name: String) -> Int? { classes.firstIndex { $0.name == name } }

    /// The class named `name`, if registered.
    public subscript(name: String) -> EventClass? { index(of: name).map { classes[$0] } }

    /// The ten classes of the study, labels 0–9 in the order of the table of classes in Paper §3
    /// (usecase.tex) and of <doc:TheToyCalorimeter>.
    public static let study: EventRegistry = {
        var r = EventRegistry()
        let d = StudyDecays.self
        r.register(.decay("photon", "γ", summary: "single photon (signal)", parent: .photon, modes: []))
        r.register(.decay("pi0_gg", "π⁰ → γγ", summary: "2 γ, small opening angle — the main background",
                          parent: .pi0, modes: [d.pi0ToGammaGamma]))
        r.register(.decay("pi0_dalitz", "π⁰ → γe⁺e⁻", summary: "γ + unresolved e⁺e⁻ pair (Dalitz)",
                          parent: .pi0, modes: [d.pi0Dalitz]))
        r.register(.decay("eta_gg", "η → γγ", summary: "2 γ", parent: .eta, modes: [d.etaToGammaGamma]))
        r.register(.decay("eta_3pi0", "η → 3π⁰", summary: "6 γ",
                          parent: .eta, modes: [d.etaToThreePi0, d.pi0ToGammaGamma]))
        r.register(.decay("etap_gg", "η′ → γγ", summary: "2 γ", parent: .etaPrime, modes: [d.etaPrimeToGammaGamma]))
        r.register(.decay("etap_6g", "η′ → ηπ⁰π⁰ (η → γγ)", summary: "6 γ",
                          parent: .etaPrime, modes: [d.etaPrimeToEtaPi0Pi0, d.etaToGammaGamma, d.pi0ToGammaGamma]))
        r.register(.decay("etap_10g", "η′ → ηπ⁰π⁰ (η → 3π⁰)", summary: "10 γ",
                          parent: .etaPrime, modes: [d.etaPrimeToEtaPi0Pi0, d.etaToThreePi0, d.pi0ToGammaGamma]))
        r.register(.decay("jpsi_ee", "J/ψ → e⁺e⁻", summary: "2 e, large opening angle",
                          parent: .jpsi, modes: [d.jpsiToEE]))
        let burst = NoiseBurst()
        r.register(EventClass(name: "noise_burst", label: "noise burst",
                              summary: "a burst in the middle layer with 1 % cross-talk to the 4 neighbouring cells",
                              recipe: .readout { image, settings, rng in burst.apply(to: &image, settings: settings, rng: rng) }))
        return r
    }()

    /// The study's classes plus extras that are not part of the study (`electron`).
    public static let withExtras: EventRegistry = {
        var r = study
        r.register(.decay("electron", "e⁻", summary: "single electron (extra, not a study class)",
                          parent: .electron, modes: []))
        return r
    }()
}
