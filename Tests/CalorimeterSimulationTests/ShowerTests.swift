// Showers (the DocC article 'The toy calorimeter': The effective medium, Showers): derived material constants, the incomplete gamma, the longitudinal
// profile, containment, sampling fraction, conversion depth, the radial sampler.
import CalorimeterSimulation
import CNumerics
import Foundation
import Testing

/// A single-shower helper: an electron/photon of `energyMeV` along the axis.
/// The tests of the GFlash formulas use the ``ShowerTuning/gflash`` model, which is GFlash as
/// published; the geant4 tuning's additions are tested in Geant4TuningTests.
func showerOnAxis(_ kind: ShowerKind, energyMeV: Double, mode: DepositMode = .total, seed: UInt64,
                  x0: Double = 0, tuning: ShowerTuning = .gflash) -> (CalorimeterImage, ShowerRecord?) {
    var settings = SimulationSettings(mode: mode)
    settings.showers.tuning = tuning
    let sim = EventSimulator(settings: settings)
    var image = CalorimeterImage(geometry: settings.geometry)
    let species: Species = kind == .photon ? .photon : .electron
    let rng = RandomStream(seed: seed)
    let distance = settings.gun.distanceMM
    // Aim at (x0, 0) on the face: direction (x0, 0, L)/|…|.
    let norm = (x0 * x0 + distance * distance).squareRoot()
    let p = FourMomentum(e: energyMeV, px: energyMeV * x0 / norm, py: 0, pz: energyMeV * distance / norm)
    let record = sim.shower(Particle(species, p), into: &image, rng: rng)
    return (image, record)
}

@Suite("Showers")
struct ShowerTests {
    let medium = SamplingMedium.caloGAN

    @Test("effective medium constants derived from the PDG properties of Pb and LAr")
    func effectiveMedium() {
        #expect(abs(medium.absorberMassFraction - 0.803) < 0.001)
        #expect(abs(medium.radiationLengthMM - 15.59) < 0.01)
        #expect(abs(medium.moliereRadiusMM - 35.5) < 0.1)
        #expect(abs(medium.criticalEnergyMeV - 9.31) < 0.01)
        #expect(abs(medium.effectiveZ - 69.4) < 0.1)
        #expect(abs(medium.samplingFrequency - 2.60) < 0.01)
        #expect(abs(medium.eOverMip - 0.691) < 0.001)
        #expect(abs(medium.mipSamplingFraction - 0.249) < 0.001)
        // Layer depths in X₀: the last is 43 mm / 15.59 mm = 2.76 (a rounded 2.70 is sometimes
        // quoted; it does not follow from these inputs, see the DocC article). We pin 2.76.
        let depths = CalorimeterGeometry.caloGAN.layers.map { ($0.zMax - $0.zMin) / medium.radiationLengthMM }
        #expect(abs(depths[0] - 5.77) < 0.01 && abs(depths[1] - 22.3) < 0.05 && abs(depths[2] - 2.76) < 0.01)
    }

    @Test("cached-lnΓ incomplete gamma agrees with gsl_sf_gamma_inc_P")
    func incompleteGamma() {
        for a in [1.1, 1.7, 2.5, 4.1, 6.3, 9.0, 15.0] {
            let p = RegularizedGammaP(a: a)
            for i in 0 ... 400 {
                let x = Double(i) * 0.1
                #expect(abs(p(x) - gsl_sf_gamma_inc_P(a, x)) < 1e-12, "a = \(a), x = \(x)")
            }
        }
    }

    @Test("mean longitudinal parameters at 20 GeV: T ≈ 6.43 X₀, α ≈ 4.39")
    func meanParameters() {
        let m = ShowerModel(medium: medium).meanLogParameters(energyMeV: 20000)
        // By hand, ln y = ln(20000/9.31) = 7.672, Z = 69.4, F_S = 2.60, ê = 0.691:
        //   T = (7.672 − 0.812) − 0.55/2.60 − 0.69·0.309 = 6.860 − 0.212 − 0.213 = 6.43
        //   α = 0.81 + (0.458 + 2.26/69.4)·7.672 − 0.476/2.60 = 4.574 − 0.183 = 4.39
        // A value α ≈ 4.1 is sometimes quoted for 20 GeV; the formula above does not give it.
        #expect(abs(exp(m.lnT) - 6.43) < 0.02)
        #expect(abs(exp(m.lnAlpha) - 4.39) < 0.02)
        // ln y at 20 GeV ≈ 7.67.
        #expect(abs(log(20000 / medium.criticalEnergyMeV) - 7.67) < 0.01)
    }

    @Test("per-layer energies of a total-mode shower equal E·[P(α,βt₂) − P(α,βt₁)] from GSL")
    func longitudinalProfile() {
        let g = CalorimeterGeometry.caloGAN
        for seed in UInt64(1) ... 50 {
            let (image, record) = showerOnAxis(.electron, energyMeV: 20000, seed: seed)
            let r = try! #require(record)
            let p = r.parameters
            for (l, layer) in g.layers.enumerated() {
                let t1 = layer.zMin / medium.radiationLengthMM, t2 = layer.zMax / medium.radiationLengthMM
                let expected = 20000 * (gsl_sf_gamma_inc_P(p.alpha, p.beta * t2) - gsl_sf_gamma_inc_P(p.alpha, p.beta * t1))
                let got = image.layerEnergy(l, geometry: g) + Double(image.overflow[l])
                // Float32 accumulation of ~10³ spots: 1e-5 relative, plus 1e-3 MeV absolute.
                #expect(abs(got - expected) < 1e-5 * 20000 + 1e-3, "seed \(seed) layer \(l)")
            }
        }
    }

    @Test("total deposit = energy − longitudinal leakage, in total mode")
    func containment() {
        for seed in UInt64(1) ... 50 {
            let (image, record) = showerOnAxis(.photon, energyMeV: 20000, seed: seed)
            guard let r = record else { continue }  // a photon may cross without converting
            let tEnd = (480 - r.startDepth) / medium.radiationLengthMM
            let expected = 20000 * gsl_sf_gamma_inc_P(r.parameters.alpha, r.parameters.beta * tEnd)
            #expect(abs(image.totalEnergy - expected) < 0.2, "seed \(seed)")
            #expect(abs(r.containedMeV - expected) < 1e-6 * expected)
        }
    }

    @Test("visible/total ≈ ê × mip fraction, resolution ≈ c_s/√E")
    func samplingFraction() {
        var ratios: [Double] = []
        for seed in UInt64(1) ... 400 {
            let (image, record) = showerOnAxis(.electron, energyMeV: 20000, mode: .visible, seed: seed)
            ratios.append(image.totalEnergy / record!.containedMeV)
        }
        let mean = ratios.reduce(0, +) / Double(ratios.count)
        let sd = (ratios.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(ratios.count - 1)).squareRoot()
        let f = medium.electronSamplingFraction
        #expect(abs(f - 0.172) < 0.001)
        #expect(abs(mean - f) < 4 * sd / 20, "mean ratio \(mean), expected \(f)")
        // Relative resolution c_s/√(E/GeV) = 0.11/√20 = 2.46 %.
        #expect(abs(sd / mean - 0.11 / 20.0.squareRoot()) < 0.004)
    }

    @Test("photon conversion depth ~ Exponential(9/7 X₀ = 20.0 mm)")
    func conversionDepth() {
        let sim = EventSimulator()
        #expect(abs(sim.conversionLengthMM - 20.0) < 0.05)
        var depths: [Double] = []
        for seed in UInt64(1) ... 4000 {
            if let r = showerOnAxis(.photon, energyMeV: 5000, seed: seed).1 { depths.append(r.startDepth) }
        }
        // Truncated at 480 mm (e^{−24}: none beyond); KS distance to 1 − e^{−z/λ}.
        let lambda = sim.conversionLengthMM
        depths.sort()
        var d = 0.0
        for (i, z) in depths.enumerated() {
            let f = 1 - exp(-z / lambda)
            d = max(d, abs(f - Double(i) / Double(depths.count)), abs(f - Double(i + 1) / Double(depths.count)))
        }
        #expect(d < 1.95 / Double(depths.count).squareRoot(), "KS D = \(d)")  // α = 0.001
    }

    @Test("radial sampler follows F(r) = p r²/(r²+R_C²) + (1−p) r²/(r²+R_T²)")
    func radialSampler() {
        let rp = ShowerModel(medium: medium).radial(tau: 1.0, energyGeV: 20)
        #expect(rp.core > 0 && rp.tail > rp.core && rp.coreProbability > 0 && rp.coreProbability < 1)
        let rng = RandomStream(seed: 23)
        let n = 50000
        var r = (0 ..< n).map { _ in ShowerModel.sampleRadius(rp, rng: rng) }
        r.sort()
        func cdf(_ x: Double) -> Double {
            rp.coreProbability * x * x / (x * x + rp.core * rp.core)
                + (1 - rp.coreProbability) * x * x / (x * x + rp.tail * rp.tail)
        }
        var d = 0.0
        for (i, x) in r.enumerated() {
            d = max(d, abs(cdf(x) - Double(i) / Double(n)), abs(cdf(x) - Double(i + 1) / Double(n)))
        }
        #expect(d < 1.95 / Double(n).squareRoot(), "KS D = \(d)")
    }

    @Test("polynomial unit circle agrees with libm for every 16-bit azimuth")
    func unitCircleAccuracy() {
        var worst = 0.0
        for k in UInt32(0) ..< 65536 {
            let phi = 2 * Double.pi * (Double(k) + 0.5) / 65536
            let (c, s) = unitCircle(k)
            worst = max(worst, abs(c - cos(phi)), abs(s - sin(phi)))
        }
        #expect(worst < 2e-10)
    }

    @Test("the fraction of energy in layer 0 at 20 GeV: γ ≈ 0.18, e ≈ 0.29 (a rough guide, ±0.02)")
    func layerZeroFractions() {
        let g = CalorimeterGeometry.caloGAN
        for (kind, expected) in [(ShowerKind.photon, 0.18), (.electron, 0.29)] {
            var sum = 0.0, n = 0.0
            for seed in UInt64(1) ... 1000 {
                let (image, record) = showerOnAxis(kind, energyMeV: 20000, seed: seed)
                guard record != nil else { continue }
                sum += (image.layerEnergy(0, geometry: g) + Double(image.overflow[0])) / image.totalEnergy
                n += 1
            }
            // These are a rough guide only (the DocC article 'The toy calorimeter', Showers): ±0.02.
            #expect(abs(sum / n - expected) < 0.02, "\(kind): \(sum / n)")
        }
    }
}
