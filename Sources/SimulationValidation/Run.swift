// A whole validation run, as `calobnn validate` and `make validation` do it: every reference
// sample against each tuning of the shower model, then the summary tables, the fitted
// parameters and the macros (written last, so a complete numbers.tex means a complete run).
import CalorimeterSimulation
import Foundation
import StudyData
import StudyReport

/// One validation run over several Geant4 reference files.
public struct ValidationRun: Sendable {
    /// The reference files (HDF5, the layout of Reproduce/reference/geant4/README.md).
    public var references: [String]
    /// Simulated events per sample, tuning and deposit mode.
    public var events: Int
    /// Master seed of the simulated samples.
    public var seed: UInt64
    /// Simulation seeds of the shape classifier's AUC in the table auc_seeds (`seed`, `seed` + 1,
    /// …, wrapping); 1 = no such table.
    public var seeds = 1
    /// Tunings to compare (gflash = before validation, geant4 = after).
    public var tunings: [ShowerTuning]
    /// Overrides of the geant4 tuning's fitted parameters (for fits), name → value.
    public var overrides: [String: Double] = [:]
    /// The geant4 tuning's name in tables and macros (e.g. a candidate tuning's, with its
    /// ``overrides``); nil: `geant4`. With a label every macro is `\\Val<Label>…` instead of
    /// `\\Val…`, so that several runs' numbers.tex can be read into one document.
    public var label: String?
    /// Worker threads (results do not depend on them).
    public var threads = 2
    /// Progress lines on stderr.
    public var verbose = true
    /// If set, the directory where each simulated sample is written in the references' layout
    /// (`<reference name>_<tuning>.h5`), for analyses beyond the shapes (created if missing).
    public var exportSimulated: String?

    /// A run of `references` with `events` simulated events per sample from `seed`.
    public init(references: [String], events: Int, seed: UInt64, tunings: [ShowerTuning]) {
        self.references = references; self.events = events; self.seed = seed; self.tunings = tunings
    }

    /// Write per sample shapes_<sample>.{tex,md,csv} (total deposit), shapes_visible_<sample>.*,
    /// hist_<sample>.dat, then summary.*, keyshapes.*, lar.* (the LAr response with statistical
    /// errors), auc_seeds.* (with ``seeds`` > 1), elimination.*, correlations.*, occupancy.*
    /// (``CellOccupancy``), misses.* (``TargetMiss``), systematic.* (``SystematicDeviation``), hotcells.* (``HotCellPattern``) and lateral.* (with
    /// the geant4 tuning; lateral: ``LateralContainment``, for references with a mean radial profile),
    /// parameters.* and numbers.tex into
    /// `output`; with `exportDataset`, also the references that are study classes at 20 GeV as
    /// one dataset in our layout; with ``exportSimulated``, the simulated samples. Returns the
    /// one-line summary.
    ///
    /// All or nothing: every reference is read and checked before anything is written, and the
    /// files of `output` (and of ``exportSimulated``) are made in a temporary directory and moved
    /// into place only when the whole run has succeeded (`writeDirectoryAtomically(to:_:)`), so a
    /// bad reference or an interruption leaves the previous results as they were.
    public func run(to output: String, exportDataset: String?) throws -> String {
        var refs: [ReferenceSample] = []
        for path in references {
            do { refs.append(try ReferenceSample.read(from: path)) } catch { throw InputError("\(error)") }
        }
        try writeDirectoryAtomically(to: output) { dir in
            if let exportSimulated {
                try writeDirectoryAtomically(to: exportSimulated) { exported in
                    try write(refs, to: dir, exportSimulated: exported, exportDataset: exportDataset)
                }
            } else {
                try write(refs, to: dir, exportSimulated: nil, exportDataset: exportDataset)
            }
        }
        return "validate: \(references.count) reference samples, tunings \(tunings.map(\.rawValue).joined(separator: ",")), seed \(seed) → \(output)"
    }

    /// The body of ``run(to:exportDataset:)``: the comparisons of `refs`, written into `output`
    /// (and the simulated samples into `exportSimulated`).
    private func write(_ refs: [ReferenceSample], to output: String, exportSimulated: String?, exportDataset: String?) throws {
        var summary: [[String]] = [], key: [[String]] = [], elimination: [[String]] = [], correlations: [[String]] = []
        var lar: [[String]] = [], larName = "", seedRows: [[String]] = [], seedAUCs: [[[Double]]] = []
        let names = tunings.map { $0 == .geant4 ? label ?? $0.rawValue : $0.rawValue }
        let prefix = label.map { ValidationOutput.macroName($0) } ?? ""
        // Targets met over all samples, per tuning: means, spreads (and how many there are).
        var meansMet = [Int](repeating: 0, count: tunings.count), spreadsMet = meansMet, meanTargets = 0, spreadTargets = 0
        let seedList = (0 ..< max(seeds, 1)).map { seed &+ UInt64($0) }
        var macros: [String] = []
        macros.append("% generated by calobnn validate (seed \(seed), \(events) events per sample and tuning) — do not edit")
        var lateral: [[String]] = [], lateralMacros: [String] = [], occupancy: [[String]] = []
        var missRows: [[String]] = [], misses: [TargetMiss] = [], tunedShapes: [[ObservableComparison]] = [], hotCells: [[String]] = []
        for ref in refs {
            if verbose { ProgressReporter.write("validate: \(ref.name) (\(ref.setup.className), \(ref.setup.kineticEnergyGeV) GeV at \(ref.setup.gunDistanceMM) mm, \(ref.total.count) Geant4 events) vs \(events) simulated, seed \(seed)\n") }
            let runs = try validate(ref, events: events, seed: seed, tunings: tunings, threads: threads, overrides: overrides,
                                    exportDirectory: exportSimulated).map { r in
                var named = r
                if r.tuning == .geant4, let label { named.name = label }
                return named
            }
            try ValidationOutput.shapeTable(ref, runs).write(to: output, stem: "shapes_\(ref.name)")
            try ValidationOutput.shapeTable(ref, runs, visible: true).write(to: output, stem: "shapes_visible_\(ref.name)")
            try writeTextAtomically(ValidationOutput.histogramData(runs), to: "\(output)/hist_\(ref.name).dat")
            summary += ValidationOutput.summaryRows(ref, runs)
            key += ValidationOutput.keyShapeRows(ref, runs)
            lar += ValidationOutput.larRows(ref, runs)
            larName = ValidationOutput.larRun(runs).name
            for (k, r) in runs.enumerated() { meansMet[k] += r.meansWithinTarget; spreadsMet[k] += r.spreadsWithinTarget }
            meanTargets += runs[0].shapes.count; spreadTargets += runs[0].spreadTargets
            if seedList.count > 1 {
                if verbose { ProgressReporter.write("validate: \(ref.name): shape AUC at \(seedList.count - 1) more seeds\n") }
                let more = try shapeAUCs(ref, events: events, seeds: Array(seedList.dropFirst()), tunings: tunings, threads: threads,
                                         overrides: overrides)
                let aucs = runs.indices.map { [runs[$0].aucShapes] + more[$0] }
                seedAUCs.append(aucs)
                seedRows += ValidationOutput.seedAUCRows(ref, aucs: aucs)
            }
            if let g = tunings.firstIndex(of: .geant4), let g4 = ref.lateral {
                let ours = try LateralContainment.simulated(ref.setup, events: events, seed: seed, overrides: overrides, threads: threads)
                let profile = LateralContainment(reference: g4, simulated: ours)
                lateral += ValidationOutput.lateralRows(ref, profile)
                lateralMacros += ValidationOutput.lateralMacros(ref, profile, name: names[g], prefix: prefix)
                if verbose {
                    ProgressReporter.write("validate: \(ref.name) \(names[g]): layer-0 energy within |y| < 1 / 2.5 / 5 mm \(profile.simulated[0].prefix(3).map { fmt($0, 3) }.joined(separator: " / ")) (Geant4 \(g4[0].prefix(3).map { fmt($0, 3) }.joined(separator: " / ")))\n")
                }
            }
            // The geant4 tuning's cells, hot cells and misses (tabled for it alone).
            if let r = runs.first(where: { $0.tuning == .geant4 }) {
                if let o = r.occupancy { occupancy += ValidationOutput.occupancyRows(ref.name, reference: o.reference, simulated: o.simulated) }
                if let h = r.hotCells { hotCells += ValidationOutput.hotCellRows(ref.name, reference: h.reference, simulated: h.simulated) }
                missRows += ValidationOutput.missRows(ref.name, r.misses)
                misses += r.misses
                tunedShapes.append(r.shapes)
            }
            elimination += ValidationOutput.eliminationRows(ref, runs)
            correlations += ValidationOutput.correlationRows(ref, runs)
            if macros.count == 1 { macros += ValidationOutput.commonMacros(runs, prefix: prefix) }
            macros += ValidationOutput.macros(ref, runs, prefix: prefix)
            if verbose {
                for r in runs {
                    ProgressReporter.write("validate: \(ref.name) \(r.name): AUC(shapes) \(fmt(r.aucShapes, 3)), AUC(cells) \(fmt(r.aucCells, 3)), means within target \(r.meansWithinTarget)/\(r.shapes.count), LAr fraction \(fmt(r.larFraction.simulated, 4)) (Geant4 \(fmt(r.larFraction.reference, 4))), resolution \(fmt(100 * r.larResolution.simulated, 2)) % (Geant4 \(fmt(100 * r.larResolution.reference, 2)) %)\n")
                }
            }
        }
        try ValidationOutput.summaryTable(summary, names: names, events: events, seed: seed).write(to: output, stem: "summary")
        try ValidationOutput.keyShapeTable(key, names: names).write(to: output, stem: "keyshapes")
        try ValidationOutput.larTable(lar, name: larName, events: events).write(to: output, stem: "lar")
        macros += ["\\newcommand{\\Val\(prefix)NMeanTargetsAll}{\(meanTargets)}", "\\newcommand{\\Val\(prefix)NSpreadTargetsAll}{\(spreadTargets)}"]
        for (k, name) in names.enumerated() {
            macros += ["\\newcommand{\\Val\(prefix)\(ValidationOutput.macroName("MeansAll", name))}{\(meansMet[k])}",
                       "\\newcommand{\\Val\(prefix)\(ValidationOutput.macroName("SpreadsAll", name))}{\(spreadsMet[k])}"]
        }
        if seedList.count > 1 {
            try ValidationOutput.seedAUCTable(seedRows, names: names, events: events, seeds: seedList).write(to: output, stem: "auc_seeds")
            macros += ValidationOutput.seedAUCMacros(refs, names: names, aucs: seedAUCs, prefix: prefix)
        }
        // The tables of the geant4 tuning alone (its column's name: the label, if any).
        if let g = tunings.firstIndex(of: .geant4) {
            let tuned = names[g]
            if !lateral.isEmpty {
                try ValidationOutput.lateralTable(lateral, name: tuned, events: events, seed: seed).write(to: output, stem: "lateral")
            }
            if !occupancy.isEmpty {
                try ValidationOutput.occupancyTable(occupancy, name: tuned, events: events, seed: seed).write(to: output, stem: "occupancy")
                macros += ValidationOutput.occupancyMacros(occupancy, prefix: prefix)
            }
            try ValidationOutput.missTable(missRows, name: tuned, events: events, seed: seed).write(to: output, stem: "misses")
            macros += ValidationOutput.missMacros(misses, name: tuned, prefix: prefix)
            let systematic = SystematicDeviation.table(tunedShapes)
            try ValidationOutput.systematicTable(ValidationOutput.systematicRows(systematic), name: tuned, samples: tunedShapes.count)
                .write(to: output, stem: "systematic")
            macros += ValidationOutput.systematicMacros(systematic, name: tuned, prefix: prefix)
            if verbose {
                ProgressReporter.write("validate: \(tuned) misses \(misses.count) targets, \(misses.filter(\.isSignificant).count) of them by more than \(fmt(TargetMiss.significance, 0)) standard errors (misses.md)\n")
            }
            if !hotCells.isEmpty {
                try ValidationOutput.hotCellTable(hotCells, name: tuned, events: events, seed: seed).write(to: output, stem: "hotcells")
            }
        }
        if !elimination.isEmpty { try ValidationOutput.eliminationTable(elimination).write(to: output, stem: "elimination") }
        if !correlations.isEmpty { try ValidationOutput.correlationTable(correlations).write(to: output, stem: "correlations") }
        var model = ShowerModel(medium: CalorimeterGeometry.caloGAN.medium)
        model.tuning = .geant4
        try model.apply(overrides)
        try ValidationOutput.parameterTable(model).write(to: output, stem: "parameters")
        macros += lateralMacros
        try writeTextAtomically(macros.joined(separator: "\n") + "\n", to: "\(output)/numbers.tex")
        if let exportDataset {
            do { try ReferenceSample.studyDataset(refs).write(to: exportDataset) } catch { throw InputError("\(error)") }
            if verbose { ProgressReporter.write("validate: wrote the Geant4 study-class events to \(exportDataset)\n") }
        }
        if verbose, let destination = self.exportSimulated {
            ProgressReporter.write("validate: simulated samples (\(tunings.map(\.rawValue).joined(separator: ", "))) go to \(destination)\n")
        }
    }
}
