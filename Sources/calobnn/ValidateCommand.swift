// `calobnn validate`: our simulator against Geant4 reference samples (the Paper's "Validation
// against Geant4"). Parsing here; the run is SimulationValidation's `ValidationRun`.
import ArgumentParser
import CalorimeterSimulation
import Foundation
import SimulationValidation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare our simulator with Geant4 reference samples: shower shapes, separation power, classifier AUC.",
        discussion: """
        For each reference file (HDF5, layout of Reproduce/reference/geant4/README.md) the matching \
        class, energy and gun distance are simulated with each tuning of the shower model, in total \
        and in visible mode. Writes per sample shapes_<sample>.{tex,md,csv} (total deposit), \
        shapes_visible_<sample>.*, hist_<sample>.dat (gnuplot), then summary.*, keyshapes.*, lar.* \
        (the LAr response with statistical errors), auc_seeds.* (with --seeds ≥ 2), parameters.*, \
        elimination.*, correlations.*, occupancy.* (cells above 0, 0.1, 0.3 and 1 MeV), misses.* \
        (every missed target, its statistical error, and whether it lies more than two standard \
        errors beyond the target), systematic.* (per shape, the samples above and below Geant4's \
        mean, and the sign test), hotcells.* (where each layer's two hottest cells lie, and the \
        spread of its energy centroid) and lateral.* (with the geant4 tuning; lateral: the share of \
        layers 0 and 1 within |y| < 1–20 mm of the axis, Geant4's mean radial profile against ours \
        read out in 0.5 mm strips, for references that have the profile) and numbers.tex (TeX \
        macros; written last).

        Example:
          calobnn validate --reference Reproduce/reference/geant4/photon_20GeV.h5 --events 2000 --seed 4242 -o results/validation
        """)

    @Option(name: .customLong("reference"), help: "Geant4 reference file(s), comma-separated or repeated.")
    var references: [String]
    @Option(parsing: .unconditional, help: "Simulated events per sample, tuning and deposit mode (≥ 10).")
    var events: Int = 2000
    @Option(parsing: .unconditional, help: "Master seed of the simulated samples.")
    var seed: UInt64
    @Option(name: .customLong("seeds"), parsing: .unconditional, help: "Simulation seeds of the shape classifier's AUC (--seed, --seed + 1, …; ≥ 2 adds the table auc_seeds: mean ± s.d. over seeds; 1 to 100).")
    var seedCount: Int = 1
    @Option(help: "Tunings of the shower model to compare, comma-separated: gflash (before), geant4 (after).",
            transform: { try commaList($0, "--tunings", ShowerTuning.init(rawValue:)) })
    var tunings: [ShowerTuning] = [.gflash, .geant4]
    @Option(name: .customLong("set"), help: "Override parameters of the geant4 tuning, name=value, comma-separated (for fits; names: \(ShowerModel.fittedParameterNames.joined(separator: ", "))).")
    var overrideSpec: [String] = []
    @Option(help: "Name of the geant4 tuning in tables and macros, e.g. a candidate tuning's given with --set (letters, digits, _; macros become \\Val<Label>…, so that several runs can be read into one document).")
    var label: String?
    @Option(parsing: .unconditional, help: "Worker threads (output does not depend on it).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String
    @Option(name: .customLong("export-dataset"), help: "Also write the references that are study classes at 20 GeV (γ, π⁰ → γγ, η → γγ, J/ψ → e⁺e⁻) as one dataset in our layout, labelled with the study's labels (for `calobnn predict`).")
    var exportDataset: String?
    @Option(name: .customLong("export-simulated"), help: "Also write each simulated sample, in the reference files' layout, into this directory as <reference>_<tuning>.h5 (for analyses of your own; read it like a reference).")
    var exportSimulated: String?
    @Flag(help: "No progress output.")
    var quiet = false

    var referencePaths: [String] { references.flatMap { $0.split(separator: ",").map(String.init) } }

    func overrides() throws -> [String: Double] { try showerOverrides(overrideSpec) }

    func validate() throws {
        _ = try overrides()
        guard events >= 10 else { throw ArgumentParser.ValidationError("--events must be ≥ 10 (got \(events))") }
        guard (1 ... 100).contains(seedCount) else { throw ArgumentParser.ValidationError("--seeds must be 1 to 100 (got \(seedCount))") }
        try checkThreads(threads)
        guard !tunings.isEmpty else { throw ArgumentParser.ValidationError("--tunings must list gflash and/or geant4") }
        if let label {
            guard tunings.contains(.geant4) else { throw ArgumentParser.ValidationError("--label names the geant4 tuning, which --tunings does not list") }
            guard let first = label.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII,
                  label.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0" ... "9").contains($0) || $0 == "_") }),
                  label.count <= 40 else {
                throw ArgumentParser.ValidationError("--label must be 1 to 40 ASCII letters, digits or _, starting with a letter (got '\(label)')")
            }
            guard ShowerTuning(rawValue: label) == nil else { throw ArgumentParser.ValidationError("--label '\(label)' is the name of a tuning") }
        }
        guard !referencePaths.isEmpty else { throw ArgumentParser.ValidationError("--reference: at least one file") }
        for p in referencePaths where !FileManager.default.isReadableFile(atPath: p) {
            throw ArgumentParser.ValidationError("--reference: cannot read '\(p)'")
        }
    }

    func run() throws {
        try checkOutputDirectory(output)
        if let exportDataset {
            try checkOutput(exportDataset, option: "--export-dataset", inputs: referencePaths.map { ("--reference", $0) })
        }
        if let exportSimulated { try checkOutputDirectory(exportSimulated, option: "--export-simulated") }
        var run = ValidationRun(references: referencePaths, events: events, seed: seed, tunings: tunings)
        run.overrides = try overrides(); run.threads = threads; run.verbose = !quiet; run.exportSimulated = exportSimulated
        run.seeds = seedCount; run.label = label
        print(try run.run(to: output, exportDataset: exportDataset))
    }
}
