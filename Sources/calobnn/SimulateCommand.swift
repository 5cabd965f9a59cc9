// `calobnn simulate` and `calobnn classes` (study §3).
import ArgumentParser
import CalorimeterSimulation
import Foundation
import StudyData
import StudyReport

/// Resolve class names ("all" = the study's classes) to labels in the tool's registry, or fail
/// with the valid names. An empty list is refused: it would make an empty file or evaluation.
func resolveClasses(_ spec: [String], option: String = "--class") throws -> [Int] {
    var labels: [Int] = []
    for item in spec.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }) {
        if item == "all" {
            labels += Array(0 ..< EventRegistry.study.classes.count)
        } else if let l = toolRegistry.index(of: item) {
            labels.append(l)
        } else {
            let names = toolRegistry.classes.map(\.name).joined(separator: ", ")
            throw ValidationError(item.isEmpty ? "\(option): empty class name in '\(spec.joined(separator: ","))'; known classes: all, \(names)"
                                               : "\(option): unknown class '\(item)'; known classes: all, \(names)")
        }
    }
    guard !labels.isEmpty else { throw ValidationError("\(option) lists no classes") }
    var seen = Set<Int>()
    return labels.filter { seen.insert($0).inserted }
}

/// Bytes one simulated event occupies while `simulate` runs: its cells, overflow, energy and
/// label in the batch, and a second copy of its cells while the file is written.
let simulateBytesPerEvent = 2 * (504 + 3 + 1 + 1) * 4

struct Classes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the registered event classes and their labels.",
        discussion: """
        The study's classes come first (labels in the order of the Paper's table of classes); `all` \
        means them, and `make reproduce` runs them. Extras follow.

        Examples:
          calobnn classes
          calobnn classes --names      # the study's class names on one line (what make reads)
        """)

    @Flag(help: "Print only the study's class names, space-separated, on one line.")
    var names = false

    func run() {
        if names {
            print(EventRegistry.study.classes.map(\.name).joined(separator: " "))
            return
        }
        let study = EventRegistry.study.classes.count
        for (label, c) in toolRegistry.classes.enumerated() {
            let number = label < 10 ? " \(label)" : "\(label)"
            let name = c.name.padding(toLength: 12, withPad: " ", startingAt: 0)
            print("\(number)  \(name) \(c.label) — \(c.summary)\(label < study ? "" : " [extra]")")
        }
    }
}

/// Electronic noise: on (the ATLAS-like σ per layer) or off.
enum NoiseSetting: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate events of one or more classes into an HDF5 file in CaloGAN's layout.",
        discussion: """
        Every event's random stream derives from (seed, class, index), so a file is the same bytes \
        for any --threads, and a class's events do not depend on which other classes are simulated.

        Examples:
          calobnn simulate --class all -n 1000 --seed 101 -o train.h5
          calobnn simulate --class photon,pi0_gg -n 500 --seed 7 --mode visible --noise on -o vis.h5
        """)

    @Option(name: .customLong("class"), help: "Class name(s), comma-separated or repeated; 'all' = the study's classes. See `calobnn classes`.")
    var classes: [String]
    @Option(name: .short, parsing: .unconditional, help: "Events per class.")
    var n: Int
    @Option(parsing: .unconditional, help: "Master seed; every event's stream derives from (seed, class, index).")
    var seed: UInt64
    @Option(help: "Deposit mode: total (Pb + LAr, as CaloGAN 2017) or visible (LAr only, with sampling fluctuations).")
    var mode: DepositMode = .total
    @Option(name: .customLong("distance-mm"), parsing: .unconditional, help: "Gun distance to the calorimeter face, mm.")
    var distanceMM: Double = 1000
    @Option(name: .customLong("energy-gev"), parsing: .unconditional, help: "Gun kinetic energy, GeV.")
    var energyGeV: Double = 20
    @Option(help: "Shower model: geant4 (validated against Geant4, the default) or gflash (GFlash as published, the model before validation).")
    var tuning: ShowerTuning = .geant4
    @Option(name: .customLong("set"), help: "Parameters of the geant4 tuning by name, name=value, comma-separated or repeated (e.g. a candidate of Reproduce/tunings: --set \"$(grep -v '^#' Reproduce/tunings/far.set)\"); recorded in the file's shower_model attribute. Names: \(ShowerModel.fittedParameterNames.joined(separator: ", ")).")
    var overrideSpec: [String] = []
    @Option(help: "Electronic noise per cell: on (10/25/15 MeV per layer at total scale) or off.")
    var noise: NoiseSetting = .off
    @Option(parsing: .unconditional, help: "Worker threads (output does not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: [.short, .customLong("output")], help: "Output HDF5 file (written atomically).")
    var output: String
    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard n > 0 else { throw ValidationError("-n must be a positive number of events per class (got \(n))") }
        guard energyGeV.isFinite, energyGeV > 0 else { throw ValidationError("--energy-gev must be a positive, finite energy (got \(energyGeV))") }
        guard energyGeV <= 10_000 else { throw ValidationError("--energy-gev \(energyGeV) is outside the parametrisation's range (≤ 10 TeV)") }
        guard distanceMM.isFinite, distanceMM >= 0 else { throw ValidationError("--distance-mm must be finite and ≥ 0 (got \(distanceMM))") }
        try checkThreads(threads)
        if !(try showerOverrides(overrideSpec)).isEmpty && tuning != .geant4 {
            throw ValidationError("--set sets parameters of the geant4 tuning; with --tuning \(tuning.rawValue) it would have no effect")
        }
        let labels = try resolveClasses(classes)
        // Overflow-safe: classes × n events, each `simulateBytesPerEvent` bytes, within memory.
        let limit = memoryLimit(bytesEach: simulateBytesPerEvent)
        let total = labels.count.multipliedReportingOverflow(by: n)
        guard !total.overflow, total.partialValue <= limit else {
            throw ValidationError("-n \(n): \(labels.count) class(es) × \(n) events exceed this machine's limit of \(limit) events in total (\(bytesText(Double(simulateBytesPerEvent)))/event, half of \(bytesText(Double(ProcessInfo.processInfo.physicalMemory))) memory)")
        }
    }

    func run() throws {
        let labels = try resolveClasses(classes)
        try checkOutput(output, inputs: [])
        var settings = SimulationSettings(gun: ParticleGun(distanceMM: distanceMM, kineticEnergyGeV: energyGeV),
                                          mode: mode, noise: noise == .on ? .atlasLike : nil)
        settings.showers.tuning = tuning
        let overrides = try showerOverrides(overrideSpec)
        try settings.showers.apply(overrides)
        let showerModel = tuning.rawValue + (overrides.isEmpty ? "" : " with " + ShowerModel.overridesText(overrides))
        let generator = EventGenerator(simulator: EventSimulator(settings: settings, registry: toolRegistry),
                                       seed: seed, threads: threads)
        if !quiet {
            ProgressReporter.write("simulate: seed \(seed), tuning \(showerModel), mode \(mode.rawValue), noise \(noise.rawValue), \(energyGeV) GeV at \(distanceMM) mm, classes \(labels.map { toolRegistry.classes[$0].name }.joined(separator: ","))\n")
        }
        let progress = ProgressReporter(stage: "simulate", total: labels.count * n, unit: "events", quiet: quiet)
        let batch = generator.generate(labels: labels, perClass: n) { progress.update($0) }
        progress.finish()
        let provenance = DatasetProvenance(classNames: toolRegistry.classes.map(\.name), seed: seed, mode: mode.rawValue,
                                           noise: noise == .on, gunDistanceMM: distanceMM, gunEnergyGeV: energyGeV,
                                           showerModel: showerModel)
        try CaloDataset(batch: batch, provenance: provenance).write(to: output)
        if !quiet { ProgressReporter.write("simulate: wrote \(output)\n") }
    }
}
