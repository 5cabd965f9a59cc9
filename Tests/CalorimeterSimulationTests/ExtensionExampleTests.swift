// The worked example of the article "Adding an anomaly class": ω → π⁰γ, registered without
// touching the simulator. This test runs it, so the documentation cannot rot.
import CalorimeterSimulation
import Foundation
import Testing

@Suite("Extension example: ω → π⁰γ")
struct ExtensionExampleTests {
    let omega = Species(name: "omega", mass: 782.66)  // PDG 2024, MeV

    func registry() -> EventRegistry {
        var r = EventRegistry.withExtras
        r.register(.decay("omega_pi0g", "ω → π⁰γ", summary: "3 γ", parent: omega,
                          modes: [.twoBody(omega, .pi0, .photon), StudyDecays.pi0ToGammaGamma]))
        return r
    }

    @Test("the new class has label 11, three photons, and conserves four-momentum")
    func kinematics() throws {
        let r = registry()
        let label = try #require(r.index(of: "omega_pi0g"))
        #expect(label == 11)
        guard case let .decayChain(parent, modes) = r.classes[label].recipe else { Issue.record("not a decay chain"); return }
        let rng = RandomStream(seed: 31)
        let gun = ParticleGun()
        let p = gun.momentum(mass: omega.mass)
        for _ in 0 ..< 5000 {
            let fs = EventSimulator.finalState(parent: parent, modes: modes, gun: gun, rng: rng)
            #expect(fs.count == 3 && fs.allSatisfy { $0.species == .photon })
            let q = fs.map(\.momentum)
            let sum = q.reduce(FourMomentum(e: 0, px: 0, py: 0, pz: 0), +)
            #expect(abs(sum.e - p.e) < 1e-8 * p.e && abs(sum.pz - p.pz) < 1e-8 * p.e)
            #expect(abs(sum.mass - omega.mass) < 0.1)
            // A photon pair reconstructs the π⁰ (to the precision of m² at 20 GeV; another pair may
            // fall within 0.05 MeV of m_π by chance, so "at least one").
            let pairs = [(0, 1), (0, 2), (1, 2)].filter { abs((q[$0.0] + q[$0.1]).mass - Species.pi0.mass) < 0.05 }
            #expect(pairs.count >= 1)
        }
    }

    @Test("events of the new class simulate alongside the study's, deterministically")
    func simulate() throws {
        let r = registry()
        let label = try #require(r.index(of: "omega_pi0g"))
        let gen = EventGenerator(simulator: EventSimulator(registry: r), seed: 7, threads: 2)
        let batch = gen.generate(labels: [0, label], perClass: 50)
        let again = EventGenerator(simulator: EventSimulator(registry: r), seed: 7, threads: 1).generate(labels: [0, label], perClass: 50)
        #expect(batch.cells == again.cells)
        let g = CalorimeterGeometry.caloGAN
        // Mean total energy of ω events ≈ T + m = 20.78 GeV (minus small leakage).
        var total = 0.0
        for e in 50 ..< 100 { total += batch.cells[e * g.totalCells ..< (e + 1) * g.totalCells].reduce(0) { $0 + Double($1) } + batch.overflow[e * 3 ..< e * 3 + 3].reduce(0) { $0 + Double($1) } }
        #expect(abs(total / 50 - 20782) < 300)
    }
}
