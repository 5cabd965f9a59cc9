// The effective medium of the CaloGAN sampling calorimeter (Paper §3; the DocC
// article 'The toy calorimeter', section 'The effective medium').
//
// Inputs are PDG material properties (pdg.lbl.gov, "Atomic and nuclear properties of
// materials"); every effective constant is derived here from them, never typed in.
import Foundation

/// A pure material, as tabulated by the PDG.
public struct Material: Sendable, Equatable {
    /// Name, for documentation.
    public var name: String
    /// Atomic number Z.
    public var atomicNumber: Double
    /// Density ρ in g/cm³.
    public var density: Double
    /// Radiation length X₀ in g/cm².
    public var radiationLength: Double
    /// Critical energy E_c in MeV (Rossi's definition, PDG table, for electrons).
    public var criticalEnergy: Double
    /// Minimum ionisation ⟨−dE/dx⟩_min in MeV cm²/g.
    public var minIonisation: Double

    /// Lead: Z = 82, ρ = 11.35 g/cm³, X₀ = 6.37 g/cm², E_c = 7.43 MeV, dE/dx_min = 1.122 MeV cm²/g (PDG).
    public static let lead = Material(name: "Pb", atomicNumber: 82, density: 11.35,
                                      radiationLength: 6.37, criticalEnergy: 7.43, minIonisation: 1.122)
    /// Liquid argon: Z = 18, ρ = 1.390 g/cm³ (CaloGAN's value; PDG lists 1.396), X₀ = 19.55 g/cm²,
    /// E_c = 32.84 MeV, dE/dx_min = 1.519 MeV cm²/g (PDG).
    public static let liquidArgon = Material(name: "LAr", atomicNumber: 18, density: 1.390,
                                             radiationLength: 19.55, criticalEnergy: 32.84, minIonisation: 1.519)
}

/// A periodic stack of absorber + active layers treated as one effective medium
/// (Grindhammer & Peters, hep-ex/0001020, §2: the "sampling calorimeter" parametrisation).
///
/// With mass fractions wᵢ = dᵢρᵢ / Σⱼ dⱼρⱼ:
/// ```
///     1/X₀ = Σᵢ wᵢ / X₀,ᵢ
///     1/R_M = (1/E_s) Σᵢ wᵢ E_c,ᵢ / X₀,ᵢ        E_s = 21.2 MeV
///     E_c = X₀ Σᵢ wᵢ E_c,ᵢ / X₀,ᵢ
///     Z_eff = Σᵢ wᵢ Zᵢ
///     F_S = X₀ / (d_abs + d_act)                 (X₀ in mm)
///     ê = e/mip = 1 / (1 + 0.007 (Z_abs − Z_act))
/// ```
public struct SamplingMedium: Sendable {
    /// Absorber material (first in each period).
    public let absorber: Material
    /// Active material.
    public let active: Material
    /// Absorber thickness per period, mm.
    public let absorberThickness: Double
    /// Active thickness per period, mm.
    public let activeThickness: Double

    /// Mass fraction of the absorber.
    public let absorberMassFraction: Double
    /// Effective radiation length in mm.
    public let radiationLengthMM: Double
    /// Effective Molière radius in mm.
    public let moliereRadiusMM: Double
    /// Effective critical energy in MeV.
    public let criticalEnergyMeV: Double
    /// Mass-weighted effective atomic number.
    public let effectiveZ: Double
    /// F_S = X₀ / (d_abs + d_act): the sampling period in units of X₀, inverted.
    public let samplingFrequency: Double
    /// ê = e/mip ratio.
    public let eOverMip: Double
    /// Fraction of a minimum-ionising particle's deposit that lands in the active layers.
    public let mipSamplingFraction: Double
    /// Mean density of the stack, g/cm³.
    public let meanDensity: Double

    /// Scale energy of the Molière radius, E_s = m_e c² √(4π/α) = 21.2 MeV.
    public static let scaleEnergyMeV = 21.2

    /// Derive the effective constants of a periodic stack.
    public init(absorber: Material, absorberThickness: Double, active: Material, activeThickness: Double) {
        self.absorber = absorber
        self.active = active
        self.absorberThickness = absorberThickness
        self.activeThickness = activeThickness
        // Areal masses per period in g/cm² (thicknesses are in mm, densities per cm³).
        let massAbs = absorberThickness / 10 * absorber.density
        let massAct = activeThickness / 10 * active.density
        let wAbs = massAbs / (massAbs + massAct), wAct = 1 - wAbs
        absorberMassFraction = wAbs
        meanDensity = (massAbs + massAct) / ((absorberThickness + activeThickness) / 10)
        let invX0 = wAbs / absorber.radiationLength + wAct / active.radiationLength  // cm²/g
        let x0 = 1 / invX0                                                          // g/cm²
        let ecOverX0 = wAbs * absorber.criticalEnergy / absorber.radiationLength
            + wAct * active.criticalEnergy / active.radiationLength
        radiationLengthMM = x0 / meanDensity * 10
        moliereRadiusMM = SamplingMedium.scaleEnergyMeV / ecOverX0 / meanDensity * 10
        criticalEnergyMeV = x0 * ecOverX0
        effectiveZ = wAbs * absorber.atomicNumber + wAct * active.atomicNumber
        samplingFrequency = radiationLengthMM / (absorberThickness + activeThickness)
        eOverMip = 1 / (1 + 0.007 * (absorber.atomicNumber - active.atomicNumber))
        // A mip loses dE/dx_min · ρ · d in each layer; the active share is the mip fraction.
        let mipAbs = absorber.minIonisation * massAbs, mipAct = active.minIonisation * massAct
        mipSamplingFraction = mipAct / (mipAbs + mipAct)
    }

    /// Sampling fraction for electromagnetic showers: ê × mip fraction (≈ 0.17 for CaloGAN).
    public var electronSamplingFraction: Double { eOverMip * mipSamplingFraction }

    /// CaloGAN's stack: 2 mm Pb + 4 mm LAr per period (arXiv:1712.10321).
    public static let caloGAN = SamplingMedium(absorber: .lead, absorberThickness: 2,
                                               active: .liquidArgon, activeThickness: 4)
}
