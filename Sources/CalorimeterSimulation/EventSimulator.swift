// From a class and a random stream to a calorimeter image: the decay chain, the straight-line
// transport to the face, photon conversion, showers, noise (study §3).
import Dispatch
import Foundation

/// Simulates single events of registered classes.
public struct EventSimulator: Sendable {
    /// Detector, gun, mode, noise.
    public var settings: SimulationSettings
    /// The classes that labels refer to.
    public var registry: EventRegistry

    /// A simulator with `settings` for the classes of `registry`.
    public init(settings: SimulationSettings = SimulationSettings(), registry: EventRegistry = .study) {
        self.settings = settings; self.registry = registry
    }

    /// Mean free path of a high-energy photon before pair conversion, mm: 9/7 X₀.
    public var conversionLengthMM: Double { 9.0 / 7.0 * settings.geometry.medium.radiationLengthMM }

    /// The final-state particles (γ, e±) of one event of a decay-chain class, lab frame.
    /// Every unstable species is decayed by the first mode in `modes` whose parent it is.
    public static func finalState(parent: Species, modes: [DecayMode], gun: ParticleGun,
                                  rng: RandomStream) -> [Particle] {
        var stack = [Particle(parent, gun.momentum(mass: parent.mass))]
        var out: [Particle] = []
        while let p = stack.popLast() {
            if let mode = modes.first(where: { $0.parent == p.species }) {
                let momenta = mode.sample(p.momentum, rng)
                for (s, q) in zip(mode.products, momenta) { stack.append(Particle(s, q)) }
            } else {
                precondition(p.species.shower != nil,
                             "species '\(p.species.name)' has no decay mode and does not shower")
                out.append(p)
            }
        }
        return out
    }

    /// Shower one final-state particle produced at the gun: transport in a straight line to the
    /// face at (x, y) = L (pₓ, p_y)/p_z, convert photons at path s₀ ~ Exp(9/7 X₀), then deposit.
    /// Returns nil if the particle misses the plates or a photon crosses without converting.
    @discardableResult
    public func shower(_ particle: Particle, into image: inout CalorimeterImage, rng: RandomStream) -> ShowerRecord? {
        let q = particle.momentum, p = q.p
        guard q.pz > 0, let kind = particle.species.shower else { return nil }
        let g = settings.geometry, distance = settings.gun.distanceMM
        let x0 = distance * q.px / q.pz, y0 = distance * q.py / q.pz
        guard abs(x0) < g.plateHalfWidth, abs(y0) < g.plateHalfWidth else { return nil }
        let uz = q.pz / p
        var start = 0.0
        if kind == .photon {
            start = rng.exponential(mean: conversionLengthMM)
            guard start * uz < g.depth else { return nil }
        }
        let track = ShowerTrack(x0: x0, y0: y0, ux: q.px / p, uy: q.py / p, uz: uz, startPath: start)
        if kind == .photon && settings.showers.tuning == .geant4 {
            // The conversion makes an e⁺e⁻ pair that shares the photon's energy, x and 1 − x,
            // and each lepton showers from the conversion point (the opening angle ~ m_e/E is
            // negligible); see ``PairProduction``.
            let x = PairProduction.sampleEnergyFraction(rng: rng)
            let first = settings.showers.deposit(energyMeV: x * q.e, track: track, mode: settings.mode,
                                                 geometry: g, into: &image, rng: rng)
            settings.showers.deposit(energyMeV: (1 - x) * q.e, track: track, mode: settings.mode,
                                     geometry: g, into: &image, rng: rng)
            return first
        }
        // GFlash parametrises the shower of the particle's energy; e± masses are negligible.
        return settings.showers.deposit(energyMeV: q.e, track: track, mode: settings.mode,
                                        geometry: g, into: &image, rng: rng)
    }

    /// One event of class `label`, all of it drawn from `rng`.
    public func simulate(label: Int, rng: RandomStream) -> CalorimeterImage {
        var image = CalorimeterImage(geometry: settings.geometry)
        switch registry.classes[label].recipe {
        case let .decayChain(parent, modes):
            for particle in EventSimulator.finalState(parent: parent, modes: modes, gun: settings.gun, rng: rng) {
                shower(particle, into: &image, rng: rng)
            }
        case let .readout(write):
            write(&image, settings, rng)
        }
        settings.noise?.apply(to: &image, geometry: settings.geometry, scale: settings.energyScale, rng: rng)
        return image
    }

    /// The seed of event `index` of class `label`: a sub-stream of (seed, "event", label, index),
    /// so an event is the same whether generated alone, with other classes, or on any thread.
    public static func eventSeed(seed: UInt64, label: Int, index: Int) -> UInt64 {
        SeedDerivation.seed(seed, salt: "event", UInt64(label), UInt64(index))
    }
}

/// The energy sharing of photon conversion γ → e⁺e⁻ in the field of a nucleus: the Bethe–Heitler
/// spectrum of the electron's fraction x of the photon energy in the complete-screening limit
/// (PDG Review, "Passage of particles through matter", pair production; Y.-S. Tsai, Rev. Mod.
/// Phys. 46 (1974) 815):
/// ```
///     dσ/dx ∝ 1 − (4/3) x (1 − x),   0 ≤ x ≤ 1,
///     F(x) = (x − (2/3) x² + (4/9) x³) / (7/9)
/// ```
public enum PairProduction {
    /// Draw x by accept–reject under the density's maximum 1 (acceptance 7/9).
    public static func sampleEnergyFraction(rng: RandomStream) -> Double {
        var x = 0.0
        repeat { x = rng.uniform() } while rng.uniform() > 1 - 4.0 / 3.0 * x * (1 - x)
        return x
    }

    /// The cumulative distribution F(x) of the spectrum.
    public static func cdf(_ x: Double) -> Double { (x - 2.0 / 3.0 * x * x + 4.0 / 9.0 * x * x * x) * 9.0 / 7.0 }
}

/// A batch of simulated events in flat arrays, ready for HDF5 in CaloGAN's layout.
public struct EventBatch: Sendable {
    /// Number of events N.
    public var count: Int
    /// Cell energies, MeV: N × 504 (per event, layer 0, 1, 2 as in ``CalorimeterImage``).
    public var cells: [Float]
    /// Overflow per layer, MeV: N × 3.
    public var overflow: [Float]
    /// Gun kinetic energy per event, GeV (for the noise burst: the burst's nominal scale, the
    /// gun energy, since no particle is fired).
    public var energy: [Float]
    /// Class label per event (index into the registry).
    public var label: [Int32]

    /// A batch from its arrays (shapes are the caller's responsibility: see the fields).
    public init(count: Int, cells: [Float], overflow: [Float], energy: [Float], label: [Int32]) {
        self.count = count; self.cells = cells; self.overflow = overflow; self.energy = energy; self.label = label
    }
}

/// Generates many events in parallel, deterministically.
public struct EventGenerator: Sendable {
    /// The single-event simulator.
    public var simulator: EventSimulator
    /// Master seed.
    public var seed: UInt64
    /// Worker threads (≥ 1); results do not depend on it.
    public var threads: Int

    /// A generator.
    public init(simulator: EventSimulator, seed: UInt64, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.simulator = simulator; self.seed = seed; self.threads = max(1, threads)
    }

    /// `perClass` events of each label in `labels`, class-major (all of the first label, then …).
    /// `progress` is called from worker threads with the number of events finished so far.
    public func generate(labels: [Int], perClass: Int,
                         progress: (@Sendable (Int) -> Void)? = nil) -> EventBatch {
        let geometry = simulator.settings.geometry
        let nCells = geometry.totalCells, nLayers = geometry.layers.count
        let total = labels.count * perClass
        var batch = EventBatch(count: total,
                               cells: [Float](repeating: 0, count: total * nCells),
                               overflow: [Float](repeating: 0, count: total * nLayers),
                               energy: [Float](repeating: Float(simulator.settings.gun.kineticEnergyGeV), count: total),
                               label: [Int32](repeating: 0, count: total))
        for (k, label) in labels.enumerated() {
            for i in 0 ..< perClass { batch.label[k * perClass + i] = Int32(label) }
        }
        let chunk = 256
        let chunks = (total + chunk - 1) / chunk
        let done = AtomicCounter()
        let sim = simulator, seed = self.seed, labelsCopy = batch.label
        batch.cells.withUnsafeMutableBufferPointer { cellsBuf in
            batch.overflow.withUnsafeMutableBufferPointer { ovBuf in
                let cellsPtr = cellsBuf.baseAddress!, ovPtr = ovBuf.baseAddress!
                Parallel.forEachItem(chunks, threads: threads) { c in
                    let rng = RandomStream(seed: 0)
                    let lo = c * chunk, hi = min(total, lo + chunk)
                    for n in lo ..< hi {
                        let label = Int(labelsCopy[n])
                        rng.reseed(EventSimulator.eventSeed(seed: seed, label: label, index: n % perClass))
                        let image = sim.simulate(label: label, rng: rng)
                        image.cells.withUnsafeBufferPointer { src in
                            (cellsPtr + n * nCells).update(from: src.baseAddress!, count: nCells)
                        }
                        for l in 0 ..< nLayers { ovPtr[n * nLayers + l] = image.overflow[l] }
                    }
                    progress?(done.add(hi - lo))
                }
            }
        }
        return batch
    }
}
