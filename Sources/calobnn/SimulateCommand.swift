// `calobnn simulate` and `calobnn classes` (study §3).
import ArgumentParser
import CalorimeterSimulation
import Foundation
import StudyData

/// The registry the CLI knows: the study's ten classes (labels 0–9) plus extras.
let cliRegistry = EventRegistry.withExtras

/// Resolve class names ("all" = the study's ten) to labels, or fail with the valid names.
/// An empty list is refused: it would make an empty file or an empty evaluation.
func resolveClasses(_ spec: [String], option: String = "--class") throws -> [Int] {
    var labels: [Int] = []
    for item in spec.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }) {
        if item == "all" {
            labels += Array(0 ..< EventRegistry.study.classes.count)
        } else if let l = cliRegistry.index(of: item) {
            labels.append(l)
        } else {
            let names = cliRegistry.classes.map(\.name).joined(separator: ", ")
            throw CLIError(item.isEmpty ? "\(option): empty class name in '\(spec.joined(separator: ","))'; known classes: all, \(names)"
                                        : "\(option): unknown class '\(item)'; known classes: all, \(names)")
        }
    }
    guard !labels.isEmpty else { throw CLIError("\(option) lists no classes") }
    var seen = Set<Int>()
    return labels.filter { seen.insert($0).inserted }
}

/// Bytes one simulated event occupies while `simulate` runs: its cells, overflow, energy and
/// label in the batch, and a second copy of its cells while the file is written.
let simulateBytesPerEvent = 2 * (504 + 3 + 1 + 1) * 4

struct Classes: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the registered event classes and their labels.")

    @Flag(help: "Print only the study's class names ('--class all'), in label order, on one line (for make).")
    var names = false

    func run() {
        if names {
            print(EventRegistry.study.classes.map(\.name).joined(separator: " "))
            return
        }
        for (label, c) in cliRegistry.classes.enumerated() {
            let number = label < 10 ? " \(label)" : "\(label)"
            let name = c.name.padding(toLength: 12, withPad: " ", startingAt: 0)
            print("\(number)  \(name) \(c.label) — \(c.summary)")
        }
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate events of one or more classes into an HDF5 file in CaloGAN's layout.")

    @Option(name: .customLong("class"), help: "Class name(s), comma-separated or repeated; 'all' = the study's ten. See `calobnn classes`.")
    var classes: [String]
    @Option(name: .short, parsing: .unconditional, help: "Events per class.")
    var n: Int
    @Option(parsing: .unconditional, help: "Master seed; every event's stream derives from (seed, class, index).")
    var seed: UInt64 = 1
    @Option(help: "Deposit mode: total (Pb + LAr, as CaloGAN 2017) or visible (LAr only, with sampling fluctuations).")
    var mode: String = "total"
    @Option(name: .customLong("distance-mm"), parsing: .unconditional, help: "Gun distance to the calorimeter face, mm.")
    var distanceMM: Double = 1000
    @Option(name: .customLong("energy-gev"), parsing: .unconditional, help: "Gun kinetic energy, GeV.")
    var energyGeV: Double = 20
    @Option(help: "Shower model: geant4 (validated against Geant4, the default) or gflash (GFlash as published, the model before validation).")
    var tuning: String = "geant4"
    @Option(help: "Electronic noise per cell: on (10/25/15 MeV per layer at total scale) or off.")
    var noise: String = "off"
    @Option(parsing: .unconditional, help: "Worker threads (output does not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .short, help: "Output HDF5 file (written atomically).")
    var output: String
    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        guard n > 0 else { throw CLIError("-n must be a positive number of events per class (got \(n))") }
        guard energyGeV.isFinite, energyGeV > 0 else { throw CLIError("--energy-gev must be a positive, finite energy (got \(energyGeV))") }
        guard energyGeV <= 10_000 else { throw CLIError("--energy-gev \(energyGeV) is outside the parametrisation's range (≤ 10 TeV)") }
        guard distanceMM.isFinite, distanceMM >= 0 else { throw CLIError("--distance-mm must be finite and ≥ 0 (got \(distanceMM))") }
        guard DepositMode(rawValue: mode) != nil else { throw CLIError("--mode must be 'total' or 'visible' (got '\(mode)')") }
        guard ShowerTuning(rawValue: tuning) != nil else { throw CLIError("--tuning must be 'geant4' or 'gflash' (got '\(tuning)')") }
        guard ["on", "off"].contains(noise) else { throw CLIError("--noise must be 'on' or 'off' (got '\(noise)')") }
        guard (1 ... 64).contains(threads) else { throw CLIError("--threads must be in 1…64 (got \(threads))") }
        let labels = try resolveClasses(classes)
        // Overflow-safe: classes × n events, each `simulateBytesPerEvent` bytes, within memory.
        let limit = memoryLimit(bytesEach: simulateBytesPerEvent)
        let total = labels.count.multipliedReportingOverflow(by: n)
        guard !total.overflow, total.partialValue <= limit else {
            throw CLIError("-n \(n): \(labels.count) class(es) × \(n) events exceed this machine's limit of \(limit) events in total (\(bytesText(Double(simulateBytesPerEvent)))/event, half of \(bytesText(Double(ProcessInfo.processInfo.physicalMemory))) memory)")
        }
    }

    func run() throws {
        let labels = try resolveClasses(classes)
        try checkOutput(output, inputs: [])
        var settings = SimulationSettings(gun: ParticleGun(distanceMM: distanceMM, kineticEnergyGeV: energyGeV),
                                          mode: DepositMode(rawValue: mode)!,
                                          noise: noise == "on" ? .atlasLike : nil)
        settings.showers.tuning = ShowerTuning(rawValue: tuning)!
        let generator = EventGenerator(simulator: EventSimulator(settings: settings, registry: cliRegistry),
                                       seed: seed, threads: threads)
        let total = labels.count * n
        if !quiet {
            ProgressReporter.write("simulate: seed \(seed), tuning \(tuning), mode \(mode), noise \(noise), \(energyGeV) GeV at \(distanceMM) mm, classes \(labels.map { cliRegistry.classes[$0].name }.joined(separator: ","))\n")
        }
        let progress = ProgressReporter(stage: "simulate", total: total, unit: "events", quiet: quiet)
        let batch = generator.generate(labels: labels, perClass: n) { progress.update($0) }
        progress.finish()
        let provenance = DatasetProvenance(classNames: cliRegistry.classes.map(\.name), seed: seed, mode: mode,
                                           noise: noise == "on", gunDistanceMM: distanceMM, gunEnergyGeV: energyGeV)
        try CaloDataset(batch: batch, provenance: provenance).write(to: output)
        if !quiet { ProgressReporter.write("simulate: wrote \(output)\n") }
    }
}
