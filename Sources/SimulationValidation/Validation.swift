// The validation experiment: every Geant4 reference sample against our simulator, before and
// after the shower-model changes (the Paper's "Validation against Geant4"). Library code, so the
// CLI (`calobnn validate`) and the tests call the same function.
import CalorimeterSimulation
import Foundation
import PortableMath
import StudyReport

/// The comparison of one reference sample with our simulator under one tuning.
public struct SampleValidation: Sendable {
    /// The tuning of the shower model.
    public var tuning: ShowerTuning
    /// Its name in tables and macros: the tuning's (`gflash`, `geant4`), or the label a run gives
    /// the geant4 tuning with overrides (``ValidationRun/label``, e.g. a candidate's name).
    public var name: String
    /// Shower shapes of the total deposit, observable by observable.
    public var shapes: [ObservableComparison]
    /// Shower shapes of the visible (LAr) deposit.
    public var visibleShapes: [ObservableComparison]
    /// Mean LAr fraction of the deposit: reference (per event LAr/total, averaged) and ours
    /// (mean visible / mean total: our two modes are separate runs).
    public var larFraction: (reference: Double, simulated: Double)
    /// Relative resolution σ/mean of the deposited LAr energy (cells + overflow).
    public var larResolution: (reference: Double, simulated: Double)
    /// Statistical standard errors of ``larFraction``: the reference's of its mean of per-event
    /// ratios, ours of a ratio of two independent means (the delta method).
    public var larFractionError: (reference: Double, simulated: Double)
    /// Statistical standard errors of ``larResolution`` (``Summary/relativeSpreadError``): with
    /// 300–1000 Geant4 events, 2.3–5.4 % of the value, comparable to the 5 % target.
    public var larResolutionError: (reference: Double, simulated: Double)
    /// Classifier AUC, reference vs ours, on the total-deposit shower shapes.
    public var aucShapes: Double
    /// The same on the visible-deposit shapes.
    public var aucVisibleShapes: Double
    /// Classifier AUC on the total-deposit cells, ln(1 + E/MeV) per cell, linear model (at most
    /// 1000 events per sample and 10 Newton steps: our choice, for time).
    public var aucCells: Double
    /// Which shapes the shape classifier relies on (``SampleClassifier/elimination(reference:simulated:names:floor:)``
    /// on the total-deposit shapes; computed for the `ShowerTuning.geant4` tuning only, empty for the others).
    public var elimination: [SampleClassifier.EliminationStep] = []
    /// The pairs of total-deposit shapes whose shower-to-shower correlation differs most from
    /// Geant4's (``correlationDifferences(reference:simulated:names:count:)``; like
    /// ``elimination``, for the `ShowerTuning.geant4` tuning only).
    public var correlations: [CorrelationDifference] = []
    /// The share of each layer's cells above 0, 0.1, 0.3 and 1 MeV, Geant4's and ours
    /// (``CellOccupancy``; total deposit).
    public var occupancy: (reference: CellOccupancy, simulated: CellOccupancy)? = nil
    /// Where each layer's two hottest cells lie, Geant4's and ours (``HotCellPattern``; total deposit).
    public var hotCells: (reference: HotCellPattern, simulated: HotCellPattern)? = nil
}

/// The targets of the validation (our choice of how close is close, stated in the Paper): every
/// shape mean within 10 % of Geant4's (sparsity 15 %), the LAr sampling fraction and resolution
/// within 5 %, the shower-to-shower spread of f₀ and of the widths within 25 %.
public enum ValidationTargets {
    /// Allowed |relative deviation| of an observable's mean.
    public static func meanTolerance(_ name: String) -> Double { name.hasPrefix("sparsity") ? 0.15 : 0.10 }
    /// Observables whose spread is a target.
    public static func spreadIsTarget(_ name: String) -> Bool { name == "f_0" || name.hasPrefix("width") }
    /// Allowed |relative deviation| of a spread.
    public static let spreadTolerance = 0.25
    /// Allowed |relative deviation| of the LAr fraction and resolution.
    public static let samplingTolerance = 0.05
    /// Classifier AUC at or below which the shapes count as hard to tell apart.
    public static let aucTarget = 0.85
}

extension SampleValidation {
    /// Observables whose mean meets its target.
    public var meansWithinTarget: Int {
        shapes.filter { abs($0.meanDeviation) <= ValidationTargets.meanTolerance($0.name) }.count
    }
    /// Spread targets met, of ``spreadTargets``.
    public var spreadsWithinTarget: Int {
        shapes.filter { ValidationTargets.spreadIsTarget($0.name) && abs($0.spreadDeviation) <= ValidationTargets.spreadTolerance }.count
    }
    /// Number of spread targets.
    public var spreadTargets: Int { shapes.filter { ValidationTargets.spreadIsTarget($0.name) }.count }
    /// Mean separation power over the total-deposit shapes.
    public var meanSeparation: Double { shapes.map(\.histograms.separationPower).reduce(0, +) / Double(shapes.count) }
}

/// Run the validation of one reference sample for each of `tunings` (`events` simulated events
/// per tuning and deposit mode, master seed `seed`).
/// `overrides` change parameters of the geant4 tuning by name (for fits, see
/// `ShowerModel.apply(_:)`). With `exportDirectory`, each tuning's simulated sample is also
/// written there as `<reference name>_<tuning>.h5` (``SimulatedSample/write(to:setup:generator:geometry:)``).
public func validate(_ ref: ReferenceSample, events: Int, seed: UInt64, tunings: [ShowerTuning],
                     threads: Int, overrides: [String: Double] = [:], exportDirectory: String? = nil,
                     geometry g: CalorimeterGeometry = .caloGAN) throws -> [SampleValidation] {
    let names = ShowerShapes.names(layers: g.layers.count)
    let refTotal = ShowerShapes.table(cells: ref.total.cells, count: ref.total.count, geometry: g)
    let refVisible = ShowerShapes.table(cells: ref.visible.cells, count: ref.visible.count, geometry: g)
    let eRefTot = ref.total.depositedEnergies(geometry: g), eRefVis = ref.visible.depositedEnergies(geometry: g)
    let refFraction = Summary(zip(eRefVis, eRefTot).map { $1 > 0 ? $0 / $1 : 0 })
    let rv = Summary(eRefVis)
    var simTotal: [[[Double]]] = [], simVisible: [[[Double]]] = [], energy: [(Summary, Summary)] = []
    var simCells: [[[Double]]] = [], simOccupancy: [CellOccupancy] = [], simHotCells: [HotCellPattern] = []
    func cellFeatures(_ sample: ImageSample) -> [[Double]] {
        (0 ..< min(sample.count, 1000)).map { n in
            (0 ..< g.totalCells).map { c in PortableMath.log1p(max(Double(sample.cells[n * g.totalCells + c]), 0)) }
        }
    }
    let refCells = cellFeatures(ref.total)
    for tuning in tunings {
        let sim = try SimulatedSample.simulate(ref.setup, count: events, seed: seed, tuning: tuning, threads: threads,
                                               overrides: overrides)
        if let exportDirectory {
            let set = tuning == .geant4 && !overrides.isEmpty ? ", --set " + ShowerModel.overridesText(overrides) : ""
            try sim.write(to: "\(exportDirectory)/\(ref.name)_\(tuning.rawValue).h5", setup: ref.setup,
                          generator: "calobnn validate, tuning \(tuning.rawValue), seed \(seed), \(events) events\(set)", geometry: g)
        }
        simTotal.append(ShowerShapes.table(cells: sim.total.cells, count: sim.total.count, geometry: g))
        simVisible.append(ShowerShapes.table(cells: sim.visible.cells, count: sim.visible.count, geometry: g))
        energy.append((Summary(sim.total.depositedEnergies(geometry: g)), Summary(sim.visible.depositedEnergies(geometry: g))))
        simCells.append(cellFeatures(sim.total))
        simOccupancy.append(CellOccupancy(sim.total, geometry: g))
        simHotCells.append(HotCellPattern(sim.total, geometry: g))
    }
    let refOccupancy = CellOccupancy(ref.total, geometry: g), refHotCells = HotCellPattern(ref.total, geometry: g)
    let total = compareObservables(names: names, reference: refTotal, simulated: simTotal)
    let visible = compareObservables(names: names, reference: refVisible, simulated: simVisible)
    return tunings.indices.map { k in
        let (st, sv) = energy[k]
        return SampleValidation(
            tuning: tunings[k], name: tunings[k].rawValue, shapes: total[k], visibleShapes: visible[k],
            larFraction: (refFraction.mean, sv.mean / st.mean),
            larResolution: (rv.std / rv.mean, sv.std / sv.mean),
            larFractionError: (refFraction.standardError,
                               ValidationOutput.relativeDeviation(reference: st.mean, st.standardError,
                                                                  simulated: sv.mean, sv.standardError).error),
            larResolutionError: (rv.relativeSpreadError, sv.relativeSpreadError),
            aucShapes: SampleClassifier.auc(reference: refTotal, simulated: simTotal[k]),
            aucVisibleShapes: SampleClassifier.auc(reference: refVisible, simulated: simVisible[k]),
            aucCells: SampleClassifier.auc(reference: refCells, simulated: simCells[k], quadratic: false, iterations: 10),
            elimination: tunings[k] == .geant4 ? SampleClassifier.elimination(reference: refTotal, simulated: simTotal[k], names: names) : [],
            correlations: tunings[k] == .geant4 ? correlationDifferences(reference: refTotal, simulated: simTotal[k], names: names,
                                                                        count: ValidationOutput.correlationPairs) : [],
            occupancy: (refOccupancy, simOccupancy[k]), hotCells: (refHotCells, simHotCells[k]))
    }
}

/// The shape classifier's AUC of `ref` against each of `tunings` (outer index) at each of
/// `seeds` (inner index): the same simulation and classifier as ``validate(_:events:seed:tunings:threads:overrides:exportDirectory:geometry:)``'s
/// ``SampleValidation/aucShapes``, nothing else. With 300–1000 Geant4 events and 2000 of ours the
/// AUC moves by about 0.01 from one simulation seed to the next, as much as a fit step; a target
/// of 0.85 is judged on the mean over seeds.
public func shapeAUCs(_ ref: ReferenceSample, events: Int, seeds: [UInt64], tunings: [ShowerTuning], threads: Int,
                      overrides: [String: Double] = [:], geometry g: CalorimeterGeometry = .caloGAN) throws -> [[Double]] {
    let refTotal = ShowerShapes.table(cells: ref.total.cells, count: ref.total.count, geometry: g)
    return try tunings.map { tuning in
        try seeds.map { seed in
            let sim = try SimulatedSample.simulate(ref.setup, count: events, seed: seed, tuning: tuning, threads: threads,
                                                   overrides: overrides)
            return SampleClassifier.auc(reference: refTotal,
                                        simulated: ShowerShapes.table(cells: sim.total.cells, count: sim.total.count, geometry: g))
        }
    }
}

/// Tables, figure data and TeX macros of a validation run (one reference, several tunings).
public enum ValidationOutput {
    /// Shape names in TeX (for tables): `width_y_0` → `width y₀` etc. are left as the plain names.
    static func pct(_ x: Double) -> String { x.isFinite ? String(format: "%+.1f", 100 * x) : "—" }

    /// Per-observable table: Geant4 mean ± se, each tuning's mean and deviation, spreads, S.
    public static func shapeTable(_ ref: ReferenceSample, _ runs: [SampleValidation], visible: Bool = false) -> ResultTable {
        let first = visible ? runs[0].visibleShapes : runs[0].shapes
        var header = ["observable", "Geant4 mean"]
        for r in runs { header += ["\(r.name) mean", "Δ %"] }
        header += ["Geant4 σ"]
        for r in runs { header += ["\(r.name) σ", "Δσ %"] }
        for r in runs { header += ["S \(r.name)"] }
        var rows: [[String]] = []
        for (j, o) in first.enumerated() {
            let unit = ShowerShapes.unit(o.name)
            var row = [o.name + (unit.isEmpty ? "" : " (\(unit))"), "\(sig(o.reference.mean)) ± \(sig(o.reference.standardError))"]
            for r in runs { let c = (visible ? r.visibleShapes : r.shapes)[j]; row += [sig(c.simulated.mean), pct(c.meanDeviation)] }
            row.append(sig(o.reference.std))
            for r in runs { let c = (visible ? r.visibleShapes : r.shapes)[j]; row += [sig(c.simulated.std), pct(c.spreadDeviation)] }
            for r in runs { row.append(fmt((visible ? r.visibleShapes : r.shapes)[j].histograms.separationPower, 3)) }
            rows.append(row)
        }
        let which = visible ? "visible (LAr)" : "total (Pb + LAr)"
        return ResultTable(caption: "Shower shapes of \(ref.name) (\(which) deposit): Geant4 (\(ref.total.count) events) vs our simulator; Δ = relative deviation of the mean, Δσ of the standard deviation, S = separation power.",
                           header: header, rows: rows)
    }

    /// gnuplot data: one block per observable (index j in ``ShowerShapes/names(layers:)``);
    /// columns: bin centre, Geant4 fraction, then one fraction per tuning.
    public static func histogramData(_ runs: [SampleValidation], visible: Bool = false) -> String {
        let first = visible ? runs[0].visibleShapes : runs[0].shapes
        var out = "# normalised histograms per observable (gnuplot index = observable); columns: centre geant4 \(runs.map(\.name).joined(separator: " "))\n"
        out += "# observables: \(first.map(\.name).joined(separator: ","))\n"
        for (j, _) in first.enumerated() {
            // All tunings share the observable's binning (see ``compareObservables``).
            let base = first[j].histograms
            out += "# \(first[j].name) S=\(runs.map { fmt((visible ? $0.visibleShapes : $0.shapes)[j].histograms.separationPower, 3) }.joined(separator: " "))\n"
            let perRun = runs.map { (visible ? $0.visibleShapes : $0.shapes)[j].histograms }
            for (b, c) in base.centres.enumerated() {
                var line = "\(fmt(c, 6)) \(fmt(base.reference[b], 6))"
                for h in perRun { line += " " + fmt(h.simulated[b], 6) }
                out += line + "\n"
            }
            out += "\n\n"
        }
        return out
    }
}

extension ValidationOutput {
    /// The observables of the compact before/after table (the ones the issue's comparison quotes).
    public static let keyObservables = ["f_0", "width_x_0", "width_y_0", "width_y_1", "width_y_2", "sparsity_0",
                                        "sparsity_1", "sparsity_2", "hottest_2"]

    /// A value with 3 significant digits (widths in mm, fractions).
    static func sig(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : "—" }

    /// Summary cells of one sample: AUC, targets met, LAr fraction and resolution, mean S.
    public static func summaryRows(_ ref: ReferenceSample, _ runs: [SampleValidation]) -> [[String]] {
        var row = [ref.name, "\(ref.total.count)"]
        row += runs.map { fmt($0.aucShapes, 3) }
        row += runs.map { fmt($0.aucCells, 3) }
        row += runs.map { "\($0.meansWithinTarget)/\($0.shapes.count)" }
        row += runs.map { "\($0.spreadsWithinTarget)/\($0.spreadTargets)" }
        row.append(fmt(runs[0].larFraction.reference, 4))
        row += runs.map { fmt($0.larFraction.simulated, 4) }
        row.append(fmt(100 * runs[0].larResolution.reference, 2))
        row += runs.map { fmt(100 * $0.larResolution.simulated, 2) }
        row += runs.map { fmt($0.meanSeparation, 3) }
        return [row]
    }

    /// The summary table over all samples.
    public static func summaryTable(_ rows: [[String]], names t: [String], events: Int, seed: UInt64) -> ResultTable {
        var header = ["sample", "N Geant4"]
        header += t.map { "AUC \($0)" }
        header += t.map { "AUC cells \($0)" }
        header += t.map { "means ok \($0)" }
        header += t.map { "spreads ok \($0)" }
        header += ["LAr frac. Geant4"] + t.map { "LAr frac. \($0)" }
        header += ["σ/E % Geant4"] + t.map { "σ/E % \($0)" }
        header += t.map { "mean S \($0)" }
        return ResultTable(caption: "Our simulator against each Geant4 reference sample (\(events) simulated events per sample, tuning and deposit mode, seed \(seed)): classifier AUC on the total-deposit shower shapes and on the cells (0.5 = indistinguishable), shape means within target (10 %, sparsity 15 %), spreads (f₀ and widths) within 25 %, LAr fraction of the deposit and relative LAr resolution, mean separation power S over the shapes.",
                           header: header, rows: rows)
    }

    /// Per sample, one row for Geant4 and one per tuning (the sample named in the first row only),
    /// one mean per key observable and cell — so the table prints at a readable size.
    public static func keyShapeRows(_ ref: ReferenceSample, _ runs: [SampleValidation]) -> [[String]] {
        let sources = ["Geant4"] + runs.map(\.name)
        return sources.enumerated().map { i, source in
            [i == 0 ? ref.name : "", source] + keyObservables.map { name in
                guard let j = runs[0].shapes.firstIndex(where: { $0.name == name }) else { return "—" }
                return sig(i == 0 ? runs[0].shapes[j].reference.mean : runs[i - 1].shapes[j].simulated.mean)
            }
        }
    }

    /// A relative deviation ours/reference − 1 and its statistical error, from two values and
    /// their standard errors (independent samples; the error is also that of the ratio itself).
    public static func relativeDeviation(reference r: Double, _ seR: Double, simulated x: Double, _ seX: Double) -> (value: Double, error: Double) {
        (x / r - 1, x / r * ((seX / x) * (seX / x) + (seR / r) * (seR / r)).squareRoot())
    }

    /// The run whose LAr response the LAr table shows: the geant4 tuning's, else the last one.
    static func larRun(_ runs: [SampleValidation]) -> SampleValidation {
        runs.first { $0.tuning == .geant4 } ?? runs[runs.count - 1]
    }

    /// One row per sample: the LAr fraction and resolution of Geant4 and of ours (the geant4
    /// tuning), each ± its statistical error, and the relative deviations with theirs — so that
    /// a miss of the 5 % target can be told from the two samples' own noise.
    public static func larRows(_ ref: ReferenceSample, _ runs: [SampleValidation]) -> [[String]] {
        let r = larRun(runs)
        let f = relativeDeviation(reference: r.larFraction.reference, r.larFractionError.reference,
                                  simulated: r.larFraction.simulated, r.larFractionError.simulated)
        let res = relativeDeviation(reference: r.larResolution.reference, r.larResolutionError.reference,
                                    simulated: r.larResolution.simulated, r.larResolutionError.simulated)
        // Per cent, a minus sign that typesets as one.
        func pm(_ x: Double, _ e: Double, _ digits: Int) -> String {
            "\(fmt(100 * x, digits)) ± \(fmt(100 * e, digits))".replacingOccurrences(of: "-", with: "−")
        }
        func signed(_ d: (value: Double, error: Double)) -> String {
            (abs(100 * d.value) < 0.05 ? "0.0" : pct(d.value)).replacingOccurrences(of: "-", with: "−") + " ± \(fmt(100 * d.error, 1))"
        }
        return [[ref.name, "\(ref.total.count)",
                 pm(r.larFraction.reference, r.larFractionError.reference, 2), pm(r.larFraction.simulated, r.larFractionError.simulated, 2),
                 signed(f),
                 pm(r.larResolution.reference, r.larResolutionError.reference, 2),
                 pm(r.larResolution.simulated, r.larResolutionError.simulated, 2),
                 signed(res)]]
    }

    /// The LAr table over all samples.
    public static func larTable(_ rows: [[String]], name: String, events: Int) -> ResultTable {
        ResultTable(caption: "LAr response, Geant4 against ours (\(name) tuning, \(events) simulated events per sample): the LAr fraction of the deposit (LAr %) and the relative resolution σ/E of the LAr energy, each ± its statistical standard error (the resolution's by the delta method, with the sample's third and fourth moments), and the relative deviation Δ of ours ± its error. Target: |Δ| ≤ 5 %.",
                    header: ["sample", "N Geant4", "LAr % Geant4", "LAr % ours", "Δ LAr %", "σ/E % Geant4", "σ/E % ours", "Δ σ/E %"],
                    rows: rows)
    }

    /// Rows of ``lateralTable(_:name:events:seed:)`` for one sample: per compared layer, the
    /// fractions within each cut, Geant4 then ours, and their difference in points.
    public static func lateralRows(_ ref: ReferenceSample, _ p: LateralContainment) -> [[String]] {
        LateralContainment.layers.indices.map { li in
            [ref.name, "\(LateralContainment.layers[li])"]
                + LateralContainment.cutsMM.indices.map { k in
                    "\(fmt(p.reference[li][k], 3)) / \(fmt(p.simulated[li][k], 3))" }
                + LateralContainment.cutsMM.indices.map { k in String(format: "%+.1f", 100 * (p.simulated[li][k] - p.reference[li][k])) }
        }
    }

    /// The lateral profile at the millimetre scale (``LateralContainment``): per sample and layer
    /// the share of the layer's energy within |y| < c of the beam axis.
    public static func lateralTable(_ rows: [[String]], name: String, events: Int, seed: UInt64) -> ResultTable {
        let cuts = LateralContainment.cutsMM.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }
        return ResultTable(caption: "Lateral profile at the millimetre scale: the share of each layer's energy (total deposit) within |y| < c of the beam axis (\"within c\"), Geant4 (its mean radial profile projected on y) / ours (\(name) tuning, \(events) showers read out in \(LateralContainment.stripMM) mm strips, seed \(seed)), and ours − Geant4 in points. CaloGAN's 5 mm strips see it through the hottest strip and E_ratio.",
                           header: ["sample", "layer"] + cuts.map { "within \($0) mm" } + cuts.map { "Δ \($0) mm" },
                           rows: rows)
    }

    /// One row per sample: per tuning, the shape AUC's mean ± standard deviation over the
    /// simulation seeds, its range, and on how many seeds it meets the target.
    /// `aucs[k]` holds tuning k's AUC per seed (the run's own seed first).
    public static func seedAUCRows(_ ref: ReferenceSample, aucs: [[Double]]) -> [[String]] {
        var row = [ref.name]
        for a in aucs {
            let s = Summary(a)
            row += ["\(fmt(s.mean, 3)) ± \(fmt(s.std, 3))", "\(fmt(a.min() ?? .nan, 3))–\(fmt(a.max() ?? .nan, 3))",
                    "\(a.filter { $0 <= ValidationTargets.aucTarget }.count)/\(a.count)"]
        }
        return [row]
    }

    /// The seed table over all samples.
    public static func seedAUCTable(_ rows: [[String]], names: [String], events: Int, seeds: [UInt64]) -> ResultTable {
        ResultTable(caption: "The shape classifier's AUC over \(seeds.count) simulation seeds (\(seeds.first ?? 0)–\(seeds.last ?? 0), \(events) simulated events per sample and tuning): mean ± standard deviation between seeds, range, and the seeds on which it meets the target (AUC ≤ \(fmt(ValidationTargets.aucTarget, 2))).",
                    header: ["sample"] + names.flatMap { ["AUC \($0)", "range", "≤ \(fmt(ValidationTargets.aucTarget, 2))"] },
                    rows: rows)
    }

    /// TeX macros of the seed table: per sample and tuning the mean and standard deviation; per
    /// tuning the mean over samples, the largest sample mean, and the samples whose mean meets
    /// the target; the number of seeds (`prefix` as in ``commonMacros(_:prefix:)``).
    public static func seedAUCMacros(_ refs: [ReferenceSample], names: [String], aucs: [[[Double]]], prefix: String = "") -> [String] {
        func m(_ name: String, _ value: String) -> String { "\\newcommand{\\Val\(prefix)\(name)}{\(value)}" }
        var out = [m("NSeeds", "\(aucs.first?.first?.count ?? 0)")]
        for (k, t) in names.enumerated() {
            let means = aucs.map { Summary($0[k]).mean }
            for (i, ref) in refs.enumerated() {
                let s = Summary(aucs[i][k])
                out += [m(macroName("AUCSeedsMean", ref.name, t), fmt(s.mean, 3)),
                        m(macroName("AUCSeedsSd", ref.name, t), fmt(s.std, 3))]
            }
            out += [m(macroName("AUCSeedsMeanAll", t), fmt(means.reduce(0, +) / Double(max(means.count, 1)), 3)),
                    m(macroName("AUCSeedsWorst", t), fmt(means.max() ?? .nan, 3)),
                    m(macroName("AUCSeedsNBelow", t), "\(means.filter { $0 <= ValidationTargets.aucTarget }.count)")]
        }
        return out
    }

    /// The table of key shapes.
    public static func keyShapeTable(_ rows: [[String]], names: [String]) -> ResultTable {
        ResultTable(caption: "Means of key shower shapes, total deposit: per sample Geant4, then \(names.joined(separator: ", ")) (widths in mm).",
                    header: ["sample", "source"] + keyObservables, rows: rows)
    }

    /// A TeX macro name from parts: runs of letters capitalised, each digit spelled out
    /// ("photon_20GeV", "geant4" → "PhotonTwoZeroGevGeantFour").
    public static func macroName(_ parts: String...) -> String {
        let digits = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]
        var out = "", run = ""
        func flush() { out += run.prefix(1).uppercased() + run.dropFirst().lowercased(); run = "" }
        for ch in parts.joined(separator: "_") {
            if let d = ch.wholeNumberValue, ch.isASCII { flush(); out += digits[d] }
            else if ch.isLetter { run.append(ch) }
            else { flush() }
        }
        flush()
        return out
    }

    /// Steps of the shape elimination shown per sample (the rest is in the macros).
    public static let eliminationColumns = 4

    /// One row per sample: the AUC on all shapes, then the first
    /// ``eliminationColumns`` steps of the geant4 tuning's elimination, "shape → AUC without it".
    public static func eliminationRows(_ ref: ReferenceSample, _ runs: [SampleValidation]) -> [[String]] {
        guard let r = runs.first(where: { !$0.elimination.isEmpty }) else { return [] }
        let steps = r.elimination.prefix(eliminationColumns).map { "\($0.removed) → \(fmt($0.auc, 3))" }
        return [[ref.name, fmt(r.aucShapes, 3)] + steps + [String](repeating: "", count: eliminationColumns - steps.count)]
    }

    /// Pairs of shapes per sample in the correlation table.
    public static let correlationPairs = 4

    /// The geant4 tuning's ``SampleValidation/correlations``, one row per pair.
    public static func correlationRows(_ ref: ReferenceSample, _ runs: [SampleValidation]) -> [[String]] {
        guard let r = runs.first(where: { !$0.correlations.isEmpty }) else { return [] }
        return r.correlations.map { [ref.name, "\($0.first) × \($0.second)", fmt($0.reference, 2), fmt($0.simulated, 2)] }
    }

    /// The correlation table over all samples.
    public static func correlationTable(_ rows: [[String]]) -> ResultTable {
        ResultTable(caption: "Relations between shower shapes: per sample, the \(correlationPairs) pairs of total-deposit shapes whose correlation coefficient (Pearson's r over the showers) differs most between Geant4's showers and ours (geant4 tuning). A shape classifier sees these even where every mean and spread agrees.",
                    header: ["sample", "pair", "r Geant4", "r ours"], rows: rows)
    }

    /// The elimination table over all samples.
    public static func eliminationTable(_ rows: [[String]]) -> ResultTable {
        ResultTable(caption: "Which shower shapes tell our showers (geant4 tuning) from Geant4's: the shape classifier's AUC on all shapes, then, step by step, the shape whose removal lowers the AUC most and the AUC on the shapes left (greedy backward elimination, total deposit).",
                    header: ["sample", "AUC all"] + (1 ... eliminationColumns).map { "step \($0)" }, rows: rows)
    }

    /// The parameters of the `ShowerTuning.geant4` model as a table: symbol, value, origin. A
    /// setting at its neutral value reads "off"; any other value of a fitted parameter came from
    /// the fits on the 10 and 50 GeV γ/e⁻ samples (the compiled values are the candidate
    /// `carrystep`'s, `spectrum`'s fitted values with the spot carry at 1.5 X₀ steps; a candidate's
    /// own values, from its file, by the same fits), but for the rows that say otherwise: the axis
    /// tilt of 6.5 mrad √GeV, set by hand (spike.set), the albedo's energy power, a starting value
    /// from the references that the fit kept, and the step and the spot carry, our choices after
    /// the step-size study (``ShowerModel/spotCarry``).
    public static func parameterTable(_ m: ShowerModel) -> ResultTable {
        let fitted = "fitted: 10, 50 GeV γ and e⁻ (shapes)"
        // A setting's origin: "off (…)" at its neutral value, else fitted.
        func setting(_ value: Double, off neutral: Double, _ symbol: String) -> String {
            value == neutral ? "off (\(symbol) = \(fmt(neutral, neutral == neutral.rounded() ? 0 : 2)))" : fitted
        }
        let rows: [[String]] = [
            ["c_s (visible sampling term)", fmt(m.geant4SamplingTerm, 3), "fitted: 10, 50 GeV γ and e⁻ (LAr resolution; the halo's first version)"],
            ["f_s(τ) = a + b exp(−τ/c): a, b, c", "\(fmt(m.samplingFractionByAge.a, 4)), \(fmt(m.samplingFractionByAge.b, 4)), \(fmt(m.samplingFractionByAge.c, 2))", "fitted: 10, 50 GeV e⁻ (LAr fraction per period)"],
            ["halo h(τ) = h₀ + h₁τ: h₀, h₁", "\(fmt(m.halo.fraction0, 3)), \(fmt(m.halo.fractionSlope, 3))", fitted],
            ["halo cap h_max", fmt(m.halo.fractionMax, 2), "our choice"],
            ["halo flight λ, short component (mm)", fmt(m.halo.attenuationMM, 1), fitted],
            ["halo long component: share w, flight λ_long (mm)", "\(fmt(m.halo.longFraction, 2)), \(fmt(m.halo.longAttenuationMM, 1))", fitted],
            ["halo long share's growth with age w₁", fmt(m.halo.longFractionSlope, 2), setting(m.halo.longFractionSlope, off: 0, "w₁")],
            ["halo share's shower-to-shower spread c", fmt(m.halo.showerSpread, 2), setting(m.halo.showerSpread, off: 0, "c")],
            ["halo layer-0 multiplicity's shower-to-shower spread c_q", fmt(m.halo.multiplicitySpread, 2), setting(m.halo.multiplicitySpread, off: 0, "c_q")],
            ["halo long flights' quantum factor q_long", fmt(m.halo.longQuantumFactor, 2), setting(m.halo.longQuantumFactor, off: 1, "q_long")],
            ["halo backward quanta's factor q_back", fmt(m.halo.backwardQuantumFactor, 2), setting(m.halo.backwardQuantumFactor, off: 1, "q_back")],
            ["back-layer spot radius scale s_back", fmt(m.backSpotRadiusScale, 2), setting(m.backSpotRadiusScale, off: 1, "s_back")],
            ["back-layer spot count scale m_back", fmt(m.backSpotCountScale, 2), setting(m.backSpotCountScale, off: 1, "m_back")],
            ["tail rate β_hom: spread s, centre scale k", "\(fmt(m.tailRate.spread, 2)), \(fmt(m.tailRate.scale, 2))",
             m.tailRate.spread == 1 && m.tailRate.scale == 1 ? "off (s = k = 1)" : fitted],
            ["tail rate's spread: energy power p, s(E) = min(s (20 GeV/E)^p, 1)", fmt(m.tailRateSpreadPower, 2), setting(m.tailRateSpreadPower, off: 0, "p")],
            ["halo forward asymmetry a", fmt(m.halo.forwardAsymmetry, 2), fitted],
            ["halo quantum, mean ε (MeV)", fmt(m.halo.quantumMeV, 2), fitted],
            ["halo quanta's spectrum: Γ shape k (1 = exponential)", fmt(m.halo.quantumShape, 2), setting(m.halo.quantumShape, off: 1, "k = 1, exponential")],
            ["axis tilt s_axis (mrad √GeV)", fmt(m.axisTiltMradRootGeV, 2),
             m.axisTiltMradRootGeV == 6.5 ? "by hand: E_ratio₀,₁ of all nine samples; fits kept it" : fitted],
            ["axis tilt's energy power q, σ = s_axis/√E × (20 GeV/E)^q", fmt(m.axisTiltEnergyPower, 2), setting(m.axisTiltEnergyPower, off: 0, "q")],
            ["axis tilt's pivot: 0 entry point, 1 shower start", m.axisTiltPivotAtStart ? "1" : "0",
             m.axisTiltPivotAtStart ? "shower start (our choice)" : "entry point (our choice)"],
            ["axis shift s_shift (mm √GeV)", fmt(m.axisShiftMMRootGeV, 2), setting(m.axisShiftMMRootGeV, off: 0, "s_shift")],
            ["tail fall-off r_f, λ_f (mm)", "\(fmt(m.tailFallOff.radiusMM, 0)), \(fmt(m.tailFallOff.lengthMM, 0))",
             m.tailFallOff == (radiusMM: 80, lengthMM: 45) ? "Geant4 radial profile, 10 GeV" : fitted + " from 80, 45: Geant4's radial profile, 10 GeV"],
            ["fall-off spots' depth spread k (× r)", fmt(m.tailFarDepthSpread, 2), setting(m.tailFarDepthSpread, off: 0, "k")],
            ["fall-off spots' backward reach b (× k r)", fmt(m.tailFarBackwardScale, 2), setting(m.tailFarBackwardScale, off: 1, "b")],
            ["spot-count c_s", fmt(m.geant4SpotSamplingTerm, 2), m.geant4SpotSamplingTerm == 0.11 ? "GFlash default (our choice)" : fitted],
            ["radial age coupling κ", fmt(m.radialAgeCoupling, 2), m.radialAgeCoupling == 1 ? "GFlash (κ = 1; not fitted)" : fitted],
            ["core radius scale s_C", fmt(m.coreRadiusScale, 3), setting(m.coreRadiusScale, off: 1, "s_C")],
            ["core radius scale's share behind layer 0 r_C", fmt(m.coreDeepFactor, 3), setting(m.coreDeepFactor, off: 1, "r_C")],
            ["axis spike: share k_spike, radius s_spike (× R_C)", "\(fmt(m.spikeShare, 3)), \(fmt(m.spikeScale, 3))",
             m.spikeShare == 0 ? "off (k_spike = 0)" : fitted],
            ["axis spike's share behind layer 0 (× k_spike) r_spike", fmt(m.spikeDeepFactor, 3), setting(m.spikeDeepFactor, off: 1, "r_spike")],
            ["albedo: mean at 10 GeV μ₁₀ (MeV), energy power p, spread c", "\(fmt(m.albedo.meanMeV10, 1)), \(fmt(m.albedo.energyPower, 2)), \(fmt(m.albedo.spread, 2))",
             m.albedo.meanMeV10 == 0 ? "off (μ₁₀ = 0)" : "μ₁₀, c fitted (shapes); p: Geant4's lost energy, 10, 50 GeV"],
            ["deep tail: share w, length λ_deep (X₀)", "\(fmt(m.deepTail.share, 3)), \(fmt(m.deepTail.lengthX0, 1))", "off (w = 0); λ: 3 MeV photons' attenuation"],
            ["tail spots: pieces k, before age τ_split", "\(m.tailSplit.pieces), \(fmt(m.tailSplit.maxAge, 2))",
             m.tailSplit.maxAge == 1 ? "our choice (Geant4's layer-0 cell energies, 20 GeV)" : "k our choice (Geant4's layer-0 cell energies, 20 GeV); τ_split " + fitted],
            ["longitudinal step (X₀)", fmt(m.stepX0, 2),
             m.spotCarry ? "our choice (the step-size study: little effect with the carry)"
                         : "our choice (the step-size study: with the floor the back layer follows it)"],
            ["spot carry (1 on; 0 off: GFlash's one spot per step)", m.spotCarry ? "1" : "0",
             m.spotCarry ? "our choice (the step-size study)" : "GFlash (our choice until carrystep)"],
            ["plate half-width (mm; energy beyond is lost)", fmt(CalorimeterGeometry.caloGAN.plateHalfWidth, 0), "the Geant4 geometry (1 m × 1 m plates)"],
        ]
        return ResultTable(caption: "Parameters of the geant4 tuning of the shower model (values as compiled; sources in Shower.swift).",
                           header: ["parameter", "value", "origin"], rows: rows)
    }

    /// TeX macros common to all samples: the numbers of observables and of spread targets.
    /// `prefix` follows `\\Val` in every macro name (a labelled run's, so that the macros of
    /// several runs can be read into one document).
    public static func commonMacros(_ runs: [SampleValidation], prefix: String = "") -> [String] {
        ["\\newcommand{\\Val\(prefix)NObservables}{\(runs[0].shapes.count)}",
         "\\newcommand{\\Val\(prefix)NSpreadTargets}{\(runs[0].spreadTargets)}"]
    }

    /// Macros of the lateral profile for one sample: layer 0's share within |y| < 1 mm and
    /// < 2.5 mm in per cent, Geant4's and ours (e.g. `\ValLatonePhotonTwoZeroGevRef`,
    /// `\ValLattwofivePhotonTwoZeroGevGeantFour`; ``macroName(_:)``).
    public static func lateralMacros(_ ref: ReferenceSample, _ p: LateralContainment, name: String, prefix: String = "") -> [String] {
        func m(_ n: String, _ value: Double) -> String { "\\newcommand{\\Val\(prefix)\(n)}{\(fmt(100 * value, 1))}" }
        return [m(macroName("LatOne", ref.name, "ref"), p.reference[0][0]), m(macroName("LatOne", ref.name, name), p.simulated[0][0]),
                m(macroName("LatTwoFive", ref.name, "ref"), p.reference[0][1]), m(macroName("LatTwoFive", ref.name, name), p.simulated[0][1])]
    }

    /// TeX macros of one sample: AUCs, targets met, LAr fraction and resolution, per tuning
    /// (named by ``SampleValidation/name``; `prefix` as in ``commonMacros(_:prefix:)``).
    public static func macros(_ ref: ReferenceSample, _ runs: [SampleValidation], prefix: String = "") -> [String] {
        func m(_ name: String, _ value: String) -> String { "\\newcommand{\\Val\(prefix)\(name)}{\(value)}" }
        var out = [m(macroName("N", ref.name), "\(ref.total.count)"),
                   m(macroName("LArFrac", ref.name, "ref"), fmt(runs[0].larFraction.reference, 3)),
                   m(macroName("LArRes", ref.name, "ref"), fmt(100 * runs[0].larResolution.reference, 2)),
                   m(macroName("LArResErr", ref.name, "ref"), fmt(100 * runs[0].larResolutionError.reference, 2))]
        for r in runs {
            let t = r.name
            let dev = relativeDeviation(reference: r.larResolution.reference, r.larResolutionError.reference,
                                        simulated: r.larResolution.simulated, r.larResolutionError.simulated)
            out += [m(macroName("LArResErr", ref.name, t), fmt(100 * r.larResolutionError.simulated, 2)),
                    m(macroName("LArResDev", ref.name, t), pct(dev.value).replacingOccurrences(of: "-", with: "$-$")
                        .replacingOccurrences(of: "+", with: "$+$")),
                    m(macroName("LArResDevErr", ref.name, t), fmt(100 * dev.error, 1))]
            out += [m(macroName("AUC", ref.name, t), fmt(r.aucShapes, 3)),
                    m(macroName("AUCVisible", ref.name, t), fmt(r.aucVisibleShapes, 3)),
                    m(macroName("AUCCells", ref.name, t), fmt(r.aucCells, 3)),
                    m(macroName("Means", ref.name, t), "\(r.meansWithinTarget)"),
                    m(macroName("Spreads", ref.name, t), "\(r.spreadsWithinTarget)"),
                    m(macroName("LArFrac", ref.name, t), fmt(r.larFraction.simulated, 3)),
                    m(macroName("LArRes", ref.name, t), fmt(100 * r.larResolution.simulated, 2)),
                    m(macroName("Separation", ref.name, t), fmt(r.meanSeparation, 3))]
        }
        // The shapes whose removal brings the shape classifier to the target AUC: how many (0 when
        // it is there with all of them), and which; and the shape the classifier loses most without.
        if let r = runs.first(where: { !$0.elimination.isEmpty }) {
            let k = SampleClassifier.stepsToTarget(allShapesAUC: r.aucShapes, r.elimination, target: ValidationTargets.aucTarget)
            func tt(_ step: SampleClassifier.EliminationStep) -> String {
                "\\texttt{\(step.removed.replacingOccurrences(of: "_", with: "\\_"))}"
            }
            let shown = r.elimination.prefix(k ?? r.elimination.count).map(tt)
            out += [m(macroName("ElimCount", ref.name), k.map { "\($0)" } ?? "more than \(r.elimination.count)"),
                    m(macroName("ElimShapes", ref.name), shown.isEmpty ? "none" : englishList(shown)),
                    m(macroName("ElimFirst", ref.name), tt(r.elimination[0])),
                    m(macroName("ElimFirstAUC", ref.name), fmt(r.elimination[0].auc, 3))]
        }
        return out
    }
}
