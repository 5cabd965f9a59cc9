// Decay kinematics (the DocC article 'The toy calorimeter', section 'Decays and the gun'): conservation laws, minimum opening angles, the Kroll–Wada
// spectrum. Each expectation is re-derived by another route than the code under test.
import CalorimeterSimulation
import CNumerics
import Foundation
import Testing

/// All decay modes of the study with their parents.
let studyModes: [DecayMode] = [
    StudyDecays.pi0ToGammaGamma, StudyDecays.pi0Dalitz, StudyDecays.etaToGammaGamma,
    StudyDecays.etaToThreePi0, StudyDecays.etaPrimeToGammaGamma, StudyDecays.etaPrimeToEtaPi0Pi0,
    StudyDecays.jpsiToEE,
]

@Suite("Decay kinematics")
struct KinematicsTests {
    @Test("every mode conserves E and p⃗ and its daughters have the parent's invariant mass",
          arguments: studyModes.map(\.parent.name))
    func conservation(parentName: String) {
        let mode = studyModes.first { $0.parent.name == parentName }!
        let rng = RandomStream(seed: 7)
        let parent = ParticleGun().momentum(mass: mode.parent.mass)
        for _ in 0 ..< 2000 {
            let daughters = mode.sample(parent, rng)
            let sum = daughters.reduce(FourMomentum(e: 0, px: 0, py: 0, pz: 0), +)
            #expect(abs(sum.e - parent.e) < 1e-9 * parent.e)
            #expect(abs(sum.px) < 1e-9 * parent.e && abs(sum.py) < 1e-9 * parent.e)
            #expect(abs(sum.pz - parent.pz) < 1e-9 * parent.e)
            // m² = E² − p² loses digits at E ≫ m; compare masses to 1e-4 relative.
            #expect(abs(sum.mass - mode.parent.mass) < 1e-4 * mode.parent.mass + 1e-3)
            for (species, q) in zip(mode.products, daughters) {
                #expect(abs(q.mass - species.mass) < 1e-3 + 1e-4 * species.mass)
            }
        }
    }

    @Test("a whole chain's final state carries the gun's four-momentum")
    func chainConservation() {
        let rng = RandomStream(seed: 11)
        let gun = ParticleGun()
        for c in EventRegistry.study.classes {
            guard case let .decayChain(parent, modes) = c.recipe else { continue }
            let p = gun.momentum(mass: parent.mass)
            for _ in 0 ..< 200 {
                let fs = EventSimulator.finalState(parent: parent, modes: modes, gun: gun, rng: rng)
                let sum = fs.map(\.momentum).reduce(FourMomentum(e: 0, px: 0, py: 0, pz: 0), +)
                #expect(abs(sum.e - p.e) < 1e-8 * p.e, "\(c.name)")
                #expect(abs(sum.pz - p.pz) < 1e-8 * p.e, "\(c.name)")
                #expect(fs.allSatisfy { $0.species.shower != nil }, "\(c.name)")
            }
        }
    }

    @Test("final-state multiplicities match the study's table")
    func multiplicities() {
        let expected = ["photon": 1, "pi0_gg": 2, "pi0_dalitz": 3, "eta_gg": 2, "eta_3pi0": 6,
                        "etap_gg": 2, "etap_6g": 6, "etap_10g": 10, "jpsi_ee": 2]
        let rng = RandomStream(seed: 3)
        for c in EventRegistry.study.classes {
            guard case let .decayChain(parent, modes) = c.recipe else { continue }
            let fs = EventSimulator.finalState(parent: parent, modes: modes, gun: ParticleGun(), rng: rng)
            #expect(fs.count == expected[c.name], "\(c.name)")
        }
    }

    @Test("two-body minimum opening angle is 2 arcsin(m/E)",
          arguments: [StudyDecays.pi0ToGammaGamma, StudyDecays.etaToGammaGamma,
                      StudyDecays.etaPrimeToGammaGamma, StudyDecays.jpsiToEE].map(\.parent.name))
    func minimumOpeningAngle(parentName: String) {
        let mode = studyModes.first { $0.parent.name == parentName }!
        let parent = ParticleGun().momentum(mass: mode.parent.mass)
        let expected = 2 * asin(mode.parent.mass / parent.e)
        let rng = RandomStream(seed: 5)
        var smallest = Double.infinity
        for _ in 0 ..< 20000 {
            let d = mode.sample(parent, rng)
            smallest = min(smallest, d[0].openingAngle(with: d[1]))
        }
        // The opening-angle density has an integrable peak at the minimum, so 20 000 decays
        // come within 1 % of it; none may fall below (massive e± open the angle slightly).
        #expect(smallest >= expected * (1 - 1e-6))
        #expect(smallest < expected * 1.01)
    }

    @Test("Kroll–Wada m_ee spectrum matches its analytic density (χ² in bins of ln x)")
    func krollWada() {
        let rng = RandomStream(seed: 13)
        let n = 100_000
        let r = pow(Species.electron.mass / Species.pi0.mass, 2)
        let lo = log(4 * r), bins = 20
        var counts = [Double](repeating: 0, count: bins)
        for _ in 0 ..< n {
            let x = Dalitz.sampleX(rng: rng)
            counts[min(bins - 1, Int((log(x) - lo) / -lo * Double(bins)))] += 1
        }
        // Expected bin contents by Simpson integration of the density in u = ln x (dx = x du).
        func integral(_ a: Double, _ b: Double) -> Double {
            let m = 200, h = (b - a) / Double(m)
            var s = 0.0
            for i in 0 ... m {
                let u = a + Double(i) * h, w = (i == 0 || i == m) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)
                s += w * Dalitz.density(x: exp(u)) * exp(u)
            }
            return s * h / 3
        }
        let edges = (0 ... bins).map { lo + Double($0) * (-lo) / Double(bins) }
        let mass = (0 ..< bins).map { integral(edges[$0], edges[$0 + 1]) }
        let total = mass.reduce(0, +)
        var chi2 = 0.0
        for i in 0 ..< bins {
            let e = Double(n) * mass[i] / total
            chi2 += (counts[i] - e) * (counts[i] - e) / e
        }
        let pValue = gsl_cdf_chisq_Q(chi2, Double(bins - 1))
        #expect(pValue > 1e-3, "χ² = \(chi2) for \(bins - 1) dof")
        // The median m_ee is about 8 MeV (Paper §3, usecase.tex): the pair is never resolved.
        var masses = (0 ..< 20000).map { _ in Dalitz.sampleX(rng: rng).squareRoot() * Species.pi0.mass }
        masses.sort()
        #expect(abs(masses[10000] - 8) < 2)
    }

    @Test("three-body matrix elements stay under their accept–reject envelopes")
    func envelopes() {
        let rng = RandomStream(seed: 17)
        for _ in 0 ..< 50000 {
            let a = ThreeBody.phaseSpacePoint(parent: Species.eta.mass, Species.pi0.mass, Species.pi0.mass, Species.pi0.mass, rng: rng)
            #expect(StudyDecays.etaThreePi0MatrixElement(a.daughters) <= 1)
            let b = ThreeBody.phaseSpacePoint(parent: Species.etaPrime.mass, Species.eta.mass, Species.pi0.mass, Species.pi0.mass, rng: rng)
            #expect(StudyDecays.etaPrimeMatrixElement(b.daughters) <= 1.03)
        }
    }

    @Test("phase-space weight bound is never exceeded")
    func genbodBound() {
        let rng = RandomStream(seed: 19)
        let m = Species.etaPrime.mass, m1 = Species.eta.mass, m2 = Species.pi0.mass
        let bound = ThreeBody.maxWeight(parent: m, m1, m2, m2)
        for _ in 0 ..< 20000 {
            #expect(ThreeBody.phaseSpacePoint(parent: m, m1, m2, m2, rng: rng).weight <= bound)
        }
    }
}
