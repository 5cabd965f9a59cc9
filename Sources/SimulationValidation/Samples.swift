// Samples to compare: a Geant4 reference file (the layout of Reproduce/reference/geant4/README.md)
// and the matching sample of our simulator.
import CalorimeterSimulation
import Foundation
import StudyData

/// Images of one sample at one energy scale: `count` images of `geometry.totalCells` cells (MeV)
/// and the overflow per layer (MeV).
public struct ImageSample: Sendable {
    /// Number of images N.
    public var count: Int
    /// N × totalCells cell energies, MeV.
    public var cells: [Float]
    /// N × layers overflow energies, MeV.
    public var overflow: [Float]

    /// A sample from its arrays.
    public init(count: Int, cells: [Float], overflow: [Float]) {
        self.count = count; self.cells = cells; self.overflow = overflow
    }

    /// Per image, the energy in all cells plus the overflow, MeV.
    public func depositedEnergies(geometry g: CalorimeterGeometry) -> [Double] {
        let nl = g.layers.count
        return (0 ..< count).map { n in
            var s = 0.0
            for c in 0 ..< g.totalCells { s += Double(cells[n * g.totalCells + c]) }
            for l in 0 ..< nl { s += Double(overflow[n * nl + l]) }
            return s
        }
    }
}

/// What was fired: the class of our registry that matches a reference sample, its energy and
/// gun distance.
public struct SampleSetup: Sendable, Equatable {
    /// Class name in `EventRegistry.withExtras` (`photon`, `electron`, `pi0_gg`, `eta_gg`, `jpsi_ee`).
    public var className: String
    /// Gun kinetic energy, GeV.
    public var kineticEnergyGeV: Double
    /// Gun distance from the face, mm.
    public var gunDistanceMM: Double

    /// A setup from its parts.
    public init(className: String, kineticEnergyGeV: Double, gunDistanceMM: Double) {
        self.className = className; self.kineticEnergyGeV = kineticEnergyGeV; self.gunDistanceMM = gunDistanceMM
    }
}

/// A Geant4 reference sample: total (Pb + LAr) and visible (LAr) images of the same events.
public struct ReferenceSample: Sendable {
    /// File stem, e.g. `photon_20GeV`.
    public var name: String
    /// Which of our classes, energy and gun distance reproduce it.
    public var setup: SampleSetup
    /// Total deposit, as the reference's `layer_i` and `overflow`.
    public var total: ImageSample
    /// LAr deposit, as `layer_i_visible` and `overflow_visible`.
    public var visible: ImageSample
    /// Geant4's lateral profile from the file's `mean_radial_profile`, [layer][cut] as
    /// ``LateralContainment/reference``; nil if the file has none.
    public var lateral: [[Double]]? = nil

    /// Geant4's particle names (the file attribute `particle`) → our class names.
    public static let classOfParticle = ["gamma": "photon", "e-": "electron", "pi0_gg": "pi0_gg",
                                         "eta_gg": "eta_gg", "jpsi_ee": "jpsi_ee"]

    /// Read a reference file; errors name the file and what is wrong.
    public static func read(from path: String, geometry g: CalorimeterGeometry = .caloGAN) throws -> ReferenceSample {
        let f = try HDF5File.open(path)
        let particle = try f.stringAttribute("particle")
        guard let className = classOfParticle[particle] else {
            throw HDF5Error("\(path): particle '\(particle)' has no matching class (known: \(classOfParticle.keys.sorted().joined(separator: ", ")))")
        }
        let energy: Double = try f.numericAttribute("kinetic_energy_gev")
        let distance: Double = try f.numericAttribute("gun_distance_mm")
        guard energy.isFinite, energy > 0, distance.isFinite, distance >= 0 else {
            throw HDF5Error("\(path): impossible kinetic_energy_gev \(energy) or gun_distance_mm \(distance)")
        }
        func images(_ suffix: String) throws -> ImageSample {
            var n: Int? = nil
            var layers: [[Float]] = []
            for (l, layer) in g.layers.enumerated() {
                let (v, shape) = try f.read("layer_\(l)\(suffix)", as: Float.self, expected: [n, layer.cellsX, layer.cellsY])
                n = shape[0]
                layers.append(v)
            }
            let count = n ?? 0
            let (ov, _) = try f.read("overflow\(suffix)", as: Float.self, expected: [count, g.layers.count])
            guard count > 0 else { throw HDF5Error("\(path): no events") }
            var cells = [Float](repeating: 0, count: count * g.totalCells)
            for (l, layer) in g.layers.enumerated() {
                let cc = layer.cellCount, off = g.layerOffsets[l]
                for e in 0 ..< count { for c in 0 ..< cc { cells[e * g.totalCells + off + c] = layers[l][e * cc + c] } }
            }
            guard cells.allSatisfy({ $0.isFinite }), ov.allSatisfy({ $0.isFinite }) else {
                throw HDF5Error("\(path): non-finite cell energies in layer_*\(suffix)")
            }
            return ImageSample(count: count, cells: cells, overflow: ov)
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return ReferenceSample(name: name,
                               setup: SampleSetup(className: className, kineticEnergyGeV: energy, gunDistanceMM: distance),
                               total: try images(""), visible: try images("_visible"),
                               lateral: try LateralContainment.reference(file: f, path: path, geometry: g))
    }
}

/// Our simulator's sample for a setup: the same events' streams in total and in visible mode.
public struct SimulatedSample: Sendable {
    /// Total-deposit images.
    public var total: ImageSample
    /// Visible (LAr) images.
    public var visible: ImageSample

    /// Simulate `count` events of `setup` with the shower model's `tuning`, seed `seed`,
    /// `threads` workers (the result does not depend on it). Events of the two modes use the same
    /// per-event seeds; they are not the same showers, since visible mode draws more numbers.
    /// `overrides` set parameters of the geant4 tuning by name (see
    /// `ShowerModel.apply(_:)`), for fits; an invalid one throws.
    public static func simulate(_ setup: SampleSetup, count: Int, seed: UInt64, tuning: ShowerTuning,
                                threads: Int, overrides: [String: Double] = [:]) throws -> SimulatedSample {
        func run(_ mode: DepositMode) throws -> ImageSample {
            try images(setup, count: count, seed: seed, tuning: tuning, mode: mode, threads: threads, overrides: overrides)
        }
        return SimulatedSample(total: try run(.total), visible: try run(.visible))
    }

    /// `count` events of `setup` in one deposit `mode`, read out in `geometry` (CaloGAN's, or a
    /// finer one: ``LateralContainment``), as ``simulate(_:count:seed:tuning:threads:overrides:)``
    /// makes each of its two samples.
    public static func images(_ setup: SampleSetup, count: Int, seed: UInt64, tuning: ShowerTuning, mode: DepositMode,
                              threads: Int, overrides: [String: Double] = [:],
                              geometry: CalorimeterGeometry = .caloGAN) throws -> ImageSample {
        let registry = EventRegistry.withExtras
        guard let label = registry.index(of: setup.className) else {
            throw ValidationError("unknown class '\(setup.className)'")
        }
        var settings = SimulationSettings(geometry: geometry, gun: ParticleGun(distanceMM: setup.gunDistanceMM,
                                                                               kineticEnergyGeV: setup.kineticEnergyGeV), mode: mode)
        settings.showers.tuning = tuning
        if tuning == .geant4 { try settings.showers.apply(overrides) }
        let batch = EventGenerator(simulator: EventSimulator(settings: settings, registry: registry),
                                   seed: seed, threads: threads).generate(labels: [label], perClass: count)
        return ImageSample(count: count, cells: batch.cells, overflow: batch.overflow)
    }

    /// Write this sample in the reference files' layout, so that one analysis reads Geant4's
    /// showers and ours alike (and ``ReferenceSample/read(from:geometry:)`` reads it back):
    /// `layer_ℓ` (N, cells x, cells y) and `overflow` (N, layers) of the total deposit, the same
    /// with `_visible` of the LAr deposit, MeV; the attributes `particle` (Geant4's name of
    /// `setup`'s class), `kinetic_energy_gev` and `gun_distance_mm` as in the references, and
    /// `generator` saying what made it (e.g. "calobnn validate, tuning geant4, seed 4242"). The
    /// file appears whole or not at all.
    public func write(to path: String, setup: SampleSetup, generator: String,
                      geometry g: CalorimeterGeometry = .caloGAN) throws {
        guard let particle = ReferenceSample.classOfParticle.first(where: { $0.value == setup.className })?.key else {
            throw ValidationError("no Geant4 particle name for class '\(setup.className)'")
        }
        try writeHDF5Atomically(to: path) { f in
            for (images, suffix) in [(total, ""), (visible, "_visible")] {
                for (l, layer) in g.layers.enumerated() {
                    try f.write("layer_\(l)\(suffix)", g.layerCells(l, of: images.cells, count: images.count),
                                shape: [images.count, layer.cellsX, layer.cellsY])
                }
                try f.write("overflow\(suffix)", images.overflow, shape: [images.count, g.layers.count])
            }
            try f.setAttribute("particle", particle)
            try f.setAttribute("kinetic_energy_gev", setup.kineticEnergyGeV)
            try f.setAttribute("gun_distance_mm", setup.gunDistanceMM)
            try f.setAttribute("generator", generator)
        }
    }
}

/// A validation failure, reported as one line.
public struct ValidationError: Error, CustomStringConvertible {
    /// The message.
    public let description: String
    /// An error with `message`.
    public init(_ message: String) { description = message }
}

extension ReferenceSample {
    /// The reference samples that are events of the study (a class of `EventRegistry.study` at
    /// the study's gun energy, 20 GeV) as one dataset in our layout, total deposit, labelled with
    /// the study's labels — input for `calobnn predict` with the models trained on our simulator.
    /// A single photon's gun distance does not matter (it flies straight in vacuum), so the
    /// 48 mm photon sample stands for the study's photons at 1 m.
    public static func studyDataset(_ refs: [ReferenceSample], gunEnergyGeV: Double = 20,
                                    geometry g: CalorimeterGeometry = .caloGAN) throws -> CaloDataset {
        let registry = EventRegistry.study
        var cells: [Float] = [], overflow: [Float] = [], labels: [Int32] = []
        for ref in refs where ref.setup.kineticEnergyGeV == gunEnergyGeV {
            guard let label = registry.index(of: ref.setup.className) else { continue }
            cells += ref.total.cells; overflow += ref.total.overflow
            labels += [Int32](repeating: Int32(label), count: ref.total.count)
        }
        guard !labels.isEmpty else { throw ValidationError("no reference sample is a study class at \(gunEnergyGeV) GeV") }
        let batch = EventBatch(count: labels.count, cells: cells, overflow: overflow,
                               energy: [Float](repeating: Float(gunEnergyGeV), count: labels.count), label: labels)
        let provenance = DatasetProvenance(classNames: EventRegistry.withExtras.classes.map(\.name), seed: 0, mode: "total", noise: false,
                                           gunDistanceMM: 1000, gunEnergyGeV: gunEnergyGeV)
        return CaloDataset(batch: batch, provenance: provenance, geometry: g)
    }
}
