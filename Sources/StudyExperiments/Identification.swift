// Study §4, "Classification performance": the BNN of all classes against its deterministic twin
// on the same test set — accuracy per class, the photon-vs-background AUC of the photon node,
// confusion matrices, the distributions of the output nodes' means and σs, the mean-vs-σ grid,
// the cost of being Bayesian, and the study's claim "very similar performance", checked.
import AnomalyDetection
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyReport

/// The §4 experiment.
public enum Identification {
    /// "Very similar performance": our rule, fixed before computing it — the overall accuracies of
    /// the BNN and its twin differ by at most this many (as a fraction: 2 percentage points).
    public static let similarPerformanceMargin = 0.02

    /// The inputs of §4, read and checked to belong together.
    public struct Inputs: Sendable {
        /// The BNN's Monte-Carlo predictions on the test set.
        public var bnn: PredictionFile
        /// The twin's predictions on the same test set.
        public var det: PredictionFile
        /// The models' training records (nil: the model file was not given or does not exist).
        public var bnnTraining: TrainingRecord?, detTraining: TrainingRecord?
        /// The BNN's posterior against its prior (nil: no BNN model file given).
        public var bnnPosterior: (blocks: [PosteriorBlockSummary], klPerExample: Double)?
        /// Every test event's energy sum over all cells, MeV, in the predictions' event order (nil:
        /// no dataset given).
        public var energySums: [Double]?
        /// The BNN's and the twin's predictions from other seeds (the same training, seeds 1 … S − 1),
        /// on the same test set and classes; empty: one seed.
        public var bnnSeeds: [PredictionSet] = [], detSeeds: [PredictionSet] = []

        /// Read predictions of the BNN (`bnn`) or the twin (`det`) from other seeds, checked to
        /// be of the right kind, test set and classes.
        public mutating func addSeeds(bnn: [NamedFile], det: [NamedFile]) throws {
            for (files, kind) in [(bnn, "bnn"), (det, "deterministic")] {
                let reference = kind == "bnn" ? self.bnn : self.det
                for f in files {
                    let p = try ExperimentInputs.predictions(f.path)
                    guard p.model == kind else { throw InputError("\(f.name) \(f.path): predictions of a \(p.model) model, expected a \(kind) one") }
                    try ExperimentInputs.checkSameData(reference, "the main run's predictions", p, f.path)
                    guard p.outputClasses == reference.outputClasses else { throw InputError("\(f.name) \(f.path): other output classes than the main run's") }
                    if kind == "bnn" { bnnSeeds.append(p.set) } else { detSeeds.append(p.set) }
                }
            }
        }

        /// Read `bnn` and `det` prediction files and, if given, the model files they were made
        /// with; refuse files of the wrong kind, of different datasets or output classes, and
        /// models that did not make the predictions.
        public init(bnn: NamedFile, det: NamedFile, bnnModel: String?, detModel: String?) throws {
            let b = try ExperimentInputs.predictions(bnn.path), d = try ExperimentInputs.predictions(det.path)
            guard b.model == "bnn" else { throw InputError("\(bnn.name) \(bnn.path): predictions of a \(b.model) model, expected a bnn") }
            guard d.model == "deterministic" else { throw InputError("\(det.name) \(det.path): predictions of a \(d.model) model, expected a deterministic one") }
            try ExperimentInputs.checkSameData(b, bnn.path, d, det.path)
            guard b.outputClasses == d.outputClasses else {
                throw InputError("\(bnn.path) and \(det.path) have different output classes (\(b.outputClasses.joined(separator: ",")) vs \(d.outputClasses.joined(separator: ",")))")
            }
            self.bnn = b; self.det = d
            bnnTraining = try ExperimentInputs.trainingRecord(bnnModel, for: b, bnn.path)
            detTraining = try ExperimentInputs.trainingRecord(detModel, for: d, det.path)
            if bnnTraining != nil, let bnnModel {
                do { bnnPosterior = try PosteriorSummary.of(Checkpoint.load(from: bnnModel)) } catch { throw InputError("\(error)") }
            }
        }

        /// Also read the test dataset the predictions were made on (checked by identity), for
        /// the energy-sum baseline.
        public init(bnn: NamedFile, det: NamedFile, bnnModel: String?, detModel: String?, data: NamedFile?) throws {
            try self.init(bnn: bnn, det: det, bnnModel: bnnModel, detModel: detModel)
            guard let data else { return }
            let dataset = try ExperimentInputs.dataset(data)
            guard dataset.identity == self.bnn.dataIdentity else {
                throw InputError("\(bnn.name) \(bnn.path) was not made on \(data.name) \(data.path) (it records \(self.bnn.dataFile ?? "another dataset"))")
            }
            energySums = DataQualityVariable.total.values(dataset)
        }
    }

    /// Read the inputs, then write every table, data file and macro of §4 into `directory`
    /// atomically (all or nothing). `profile` is recorded in captions; `registry` gives the
    /// classes' printed labels. Returns the one-line summary.
    /// `bnnSeeds`, `detSeeds`: the same networks' predictions from other seeds (training spread).
    public static func run(bnn: NamedFile, det: NamedFile, bnnModel: String?, detModel: String?, data: NamedFile? = nil,
                           bnnSeeds: [NamedFile] = [], detSeeds: [NamedFile] = [],
                           profile: String, registry: EventRegistry, to directory: String) throws -> String {
        var inputs = try Inputs(bnn: bnn, det: det, bnnModel: bnnModel, detModel: detModel, data: data)
        try inputs.addSeeds(bnn: bnnSeeds, det: detSeeds)
        var line = ""
        try writeDirectoryAtomically(to: directory) { line = try write(inputs, profile: profile, registry: registry, into: $0) }
        return line
    }

    /// The photon-vs-class AUC of the photon node for every output class c (NaN for the photon
    /// itself): photon events are the positives, class-c events the negatives.
    public static func photonAUCs(_ s: PredictionSet, photon: Int) -> [Double] {
        let k = s.classes
        let signal = (0 ..< s.count).filter { s.label[$0] == photon }.map { Double(s.mean[$0 * k + photon]) }
        return (0 ..< k).map { c in
            let bg = (0 ..< s.count).filter { s.label[$0] == c }.map { Double(s.mean[$0 * k + photon]) }
            return c == photon ? .nan : ROC.auc(positive: signal, negative: bg)
        }
    }

    /// The AUC of the energy sum alone, photon against class c, two-sided: max(A, 1 − A), since
    /// the sum may be larger or smaller for the background (the gun fixes the kinetic energy, so a
    /// heavier parent deposits more). NaN for the photon itself.
    public static func energySumAUCs(_ s: PredictionSet, sums: [Double], photon: Int) -> [Double] {
        let signal = (0 ..< s.count).filter { s.label[$0] == photon }.map { sums[$0] }
        return (0 ..< s.classes).map { c in
            guard c != photon else { return .nan }
            let a = ROC.auc(positive: (0 ..< s.count).filter { s.label[$0] == c }.map { sums[$0] }, negative: signal)
            return max(a, 1 - a)
        }
    }

    /// Every output of §4 into `output` (an existing, empty directory); returns the summary line.
    public static func write(_ inputs: Inputs, profile: String, registry: EventRegistry, into output: String) throws -> String {
        let b = inputs.bnn, d = inputs.det, tb = inputs.bnnTraining, td = inputs.detTraining
        let names = b.outputClasses, k = names.count
        let cmB = ConfusionMatrix(b.set), cmD = ConfusionMatrix(d.set)
        let tag = "make reproduce PROFILE=\(profile), target classification"
        let label = registry.prettyLabel

        // Accuracy table.
        var rows: [[String]] = []
        for i in 0 ..< k {
            rows.append([label(names[i]), fmt(cmB.perClassAccuracy[i]), fmt(cmD.perClassAccuracy[i]),
                         fmt(cmB.perClassAccuracy[i] - cmD.perClassAccuracy[i])])
        }
        rows.append(["overall", fmt(cmB.accuracy), fmt(cmD.accuracy), fmt(cmB.accuracy - cmD.accuracy)])
        try ResultTable(caption: "Test accuracy per class, BNN vs deterministic twin (\(tag)).",
                        header: ["class", "BNN", "deterministic", "Δ"], rows: rows).write(to: output, stem: "accuracy")

        // Photon vs each background: AUC of the photon output node.
        var aucRows: [[String]] = []
        var aucMacros: [(String, String)] = []
        var aucSummary: [String: Double] = [:]
        if let photon = names.firstIndex(of: "photon") {
            let ab = photonAUCs(b.set, photon: photon), ad = photonAUCs(d.set, photon: photon)
            let ae = inputs.energySums.map { energySumAUCs(b.set, sums: $0, photon: photon) }
            for c in 0 ..< k where c != photon {
                aucRows.append([label(names[c]), fmt(ab[c], 4), fmt(ad[c], 4)] + (ae.map { [fmt($0[c], 4)] } ?? []))
                aucMacros.append(("AUC\(macroName(names[c]))BNN", fmt(ab[c], 3)))
                aucMacros.append(("AUC\(macroName(names[c]))Det", fmt(ad[c], 3)))
                aucSummary["photon_vs_\(names[c]).bnn"] = ab[c]
                aucSummary["photon_vs_\(names[c]).det"] = ad[c]
                if let ae {
                    aucMacros.append(("AUC\(macroName(names[c]))ESum", fmt(ae[c], 3)))
                    aucSummary["photon_vs_\(names[c]).energy_sum"] = ae[c]
                }
            }
            try ResultTable(caption: "ROC AUC of the photon output node, photon vs each background\(ae == nil ? "" : "; last column: the energy summed over all cells alone, two-sided (max(A, 1 − A)): how much of the separation the energy sum carries") (\(tag)).",
                            header: ["background", "BNN", "deterministic"] + (ae == nil ? [] : ["energy sum"]), rows: aucRows).write(to: output, stem: "photon_auc")
        }

        // Confusion matrices: tables and heat-map data.
        for (stem, cm) in [("confusion_bnn", cmB), ("confusion_det", cmD)] {
            let norm = cm.normalised
            try ResultTable(caption: "Row-normalised confusion matrix, \(stem == "confusion_bnn" ? "BNN" : "deterministic") (\(tag)).",
                            header: ["true → predicted"] + names.indices.map { "\($0)" },
                            rows: norm.enumerated().map { i, r in ["\(i) \(label(names[i]))"] + r.map { fmt($0, 2) } })
                .write(to: output, stem: stem)
            var cells: [[Double]] = []
            for i in 0 ..< k { for j in 0 ..< k { cells.append([Double(j), Double(i), norm[i][j]]) } }
            try writeDataFile("\(output)/\(stem).dat", header: "predicted true fraction (\(tag))", rows: cells)
        }

        // Output distributions per true class: mean and σ of every node (BNN), gnuplot blocks.
        try writeNodeHistograms(b.set, names: names, value: { $0.mean }, upper: 1, file: "\(output)/outputs_mean.dat", tag: tag)
        try writeNodeHistograms(b.set, names: names, value: { $0.std }, upper: 0.5, file: "\(output)/outputs_std.dat", tag: tag)
        try writeNodeHistograms(d.set, names: names, value: { $0.mean }, upper: 1, file: "\(output)/outputs_mean_det.dat", tag: tag)
        try writeTextAtomically(meanVersusStd(b.set, tag: tag), to: "\(output)/mean_vs_std.dat")

        // Cost of being Bayesian: training and prediction time, and the training per epoch (the
        // two trainings run different numbers of epochs: the BNN its budget, the twin until early
        // stopping, so the totals alone compare unequal amounts of work).
        let perEpochB = (tb?.seconds ?? .nan) / Double(tb?.epochsRun ?? 0)
        let perEpochD = (td?.seconds ?? .nan) / Double(td?.epochsRun ?? 0)
        let costRows: [[String]] = [
            ["training (s)", fmt(tb?.seconds ?? .nan, 1), fmt(td?.seconds ?? .nan, 1), fmt((tb?.seconds ?? .nan) / (td?.seconds ?? .nan), 1)],
            ["epochs run (kept)", tb.map { "\($0.epochsRun) (\($0.bestEpoch))" } ?? "–", td.map { "\($0.epochsRun) (\($0.bestEpoch))" } ?? "–", ""],
            ["training per epoch (s)", fmt(perEpochB, 2), fmt(perEpochD, 2), fmt(perEpochB / perEpochD, 1)],
            ["prediction (s)", fmt(b.seconds, 1), fmt(d.seconds, 1), fmt(b.seconds / d.seconds, 1)],
            ["passes per image", "\(b.set.samples)", "\(d.set.samples)", fmt(Double(b.set.samples) / Double(max(d.set.samples, 1)), 0)],
        ]
        try ResultTable(caption: "Cost of being Bayesian: wall time on 2 cores; the BNN runs its epoch budget, the twin stops early, so compare the time per epoch (\(tag)).",
                        header: ["", "BNN", "deterministic", "ratio"], rows: costRows).write(to: output, stem: "cost")
        for (name, rec) in [("bnn", tb), ("det", td)] {
            if let rec, !rec.history.isEmpty {
                try writeDataFile("\(output)/training_\(name).dat", header: "epoch train_loss train_acc val_loss val_acc kl_per_example (\(tag))", rows: rec.history)
            }
        }

        // Convergence: the epoch kept and the epochs run (a best epoch at the cap means the
        // validation loss was still falling), and how far the posterior moved from the prior.
        var convergence: [(String, String)] = []
        for (name, rec) in [("BNN", tb), ("Det", td)] {
            if let rec { convergence += [("BestEpoch\(name)", "\(rec.bestEpoch)"), ("EpochsRun\(name)", "\(rec.epochsRun)")] }
        }
        if let post = inputs.bnnPosterior {
            try ResultTable(caption: "The BNN's posterior against its prior, per Bayesian parameter block: median posterior σ, its ratio to the prior's σ, and the fraction of weights whose mean is within 2σ of zero; KL/N = \(fmt(post.klPerExample, 3)) nats per training example (\(tag)).",
                            header: ["block", "weights", "median σ", "median σ/σ_prior", "μ within 2σ of 0"],
                            rows: post.blocks.map { [$0.name, "\($0.count)", fmt($0.medianSigma, 4), fmt($0.medianSigmaOverPrior, 3), fmt($0.withinTwoSigma, 3)] })
                .write(to: output, stem: "posterior")
            convergence.append(("KLPerExample", fmt(post.klPerExample, 3)))
            if let dense = post.blocks.first(where: { $0.name == "dense.kernel" }) {
                convergence += [("PostSigmaRatioDense", fmt(dense.medianSigmaOverPrior, 2)), ("PostWithinTwoSigmaDense", fmt(100 * dense.withinTwoSigma, 1))]
            }
        }

        // Calibration on the test set: reliability data and the expected calibration error.
        let calB = Calibration(b.set), calD = Calibration(d.set)
        let nb = calB.count.count
        try writeDataFile("\(output)/reliability.dat",
                          header: "bin_centre conf_bnn acc_bnn n_bnn conf_det acc_det n_det — confidence = largest mean output (\(tag))",
                          rows: (0 ..< nb).map { i -> [Double] in
                              let centre: Double = (Double(i) + 0.5) / Double(nb)
                              let bnnPart: [Double] = [calB.confidence[i], calB.accuracy[i], Double(calB.count[i])]
                              let detPart: [Double] = [calD.confidence[i], calD.accuracy[i], Double(calD.count[i])]
                              return [centre] + bnnPart + detPart
                          })
        convergence += [("ECEBNN", fmt(calB.ece, 3)), ("ECEDet", fmt(calD.ece, 3))]

        // Training spread: accuracy and photon-vs-background AUCs over the seeds (seed 0 = the main
        // run); each spread is computed once and gives its table cell and its two macros.
        var seedMacros: [(String, String)] = [], seedSummary: [String: Any] = [:], seedRows: [[String]] = []
        let accB = [cmB.accuracy] + inputs.bnnSeeds.map { ConfusionMatrix($0).accuracy }
        let accD = [cmD.accuracy] + inputs.detSeeds.map { ConfusionMatrix($0).accuracy }
        func spreadCell(_ v: [Double], scale: Double, digits: Int, macro: String) -> String {
            let sp = LeaveOneOut.SeedSpread(v.map { $0 * scale })
            seedMacros += [("\(macro)Mean", fmt(sp.mean, digits)), ("\(macro)Spread", fmt(sp.spread, digits))]
            return "\(fmt(sp.mean, digits)) ± \(fmt(sp.spread, digits))"
        }
        seedRows.append(["accuracy (%)", spreadCell(accB, scale: 100, digits: 1, macro: "AccBNN"),
                         spreadCell(accD, scale: 100, digits: 1, macro: "AccDet"), "\(accB.count) / \(accD.count)"])
        seedSummary["accuracy_bnn"] = accB; seedSummary["accuracy_det"] = accD
        if let photon = names.firstIndex(of: "photon") {
            // Every seed's AUCs against every class, once (not once per class).
            let aucsB = ([b.set] + inputs.bnnSeeds).map { photonAUCs($0, photon: photon) }
            let aucsD = ([d.set] + inputs.detSeeds).map { photonAUCs($0, photon: photon) }
            for c in 0 ..< k where c != photon {
                let ab = aucsB.map { $0[c] }, ad = aucsD.map { $0[c] }
                seedRows.append(["photon vs \(label(names[c])) AUC", spreadCell(ab, scale: 1, digits: 3, macro: "AUC\(macroName(names[c]))BNN"),
                                 spreadCell(ad, scale: 1, digits: 3, macro: "AUC\(macroName(names[c]))Det"), "\(ab.count) / \(ad.count)"])
                seedSummary["photon_vs_\(names[c]).bnn"] = ab; seedSummary["photon_vs_\(names[c]).det"] = ad
            }
        }
        seedMacros.append(("NSeedsID", "\(min(accB.count, accD.count))"))
        try ResultTable(caption: "Spread between independently seeded trainings: mean ± standard deviation over the seeds of the BNN and of the twin (last column: number of seeds) (\(tag)).",
                        header: ["", "BNN", "deterministic", "seeds"], rows: seedRows).write(to: output, stem: "seeds")

        // The study's claim, checked by the rule fixed above — on the means over the seeds (one
        // seed: the main run).
        let delta = accB.reduce(0, +) / Double(accB.count) - accD.reduce(0, +) / Double(accD.count)
        let verdict = abs(delta) <= similarPerformanceMargin ? "confirmed" : "not confirmed"
        var macros = MacroFile(header: tag)
        macros.add([
            ("AccBNN", fmt(100 * cmB.accuracy, 1)), ("AccDet", fmt(100 * cmD.accuracy, 1)),
            ("AccDelta", fmt(100 * delta, 1)), ("SimilarVerdict", verdict),
            ("TrainSecondsBNN", fmt(tb?.seconds ?? .nan, 0)), ("TrainSecondsDet", fmt(td?.seconds ?? .nan, 0)),
            ("EpochSecondsBNN", fmt(perEpochB, 2)), ("EpochSecondsDet", fmt(perEpochD, 2)),
            ("EpochSecondsRatio", fmt(perEpochB / perEpochD, 1)),
            ("PredictSecondsBNN", fmt(b.seconds, 1)), ("PredictSecondsDet", fmt(d.seconds, 1)),
            ("MCSamples", "\(b.set.samples)"), ("TestEvents", "\(b.set.count)"),
        ])
        macros.add(aucMacros)
        macros.add(convergence)
        macros.add(seedMacros)
        try macros.write(to: "\(output)/numbers.tex")
        let summary: [String: Any] = ["profile": profile, "accuracy_bnn": cmB.accuracy, "accuracy_det": cmD.accuracy,
                                      "ece_bnn": calB.ece, "ece_det": calD.ece,
                                      "similar_performance": verdict, "test_events": b.set.count, "photon_auc": aucSummary,
                                      "seeds": seedSummary,
                                      "accuracy_per_class_bnn": Dictionary(uniqueKeysWithValues: zip(names, cmB.perClassAccuracy)),
                                      "accuracy_per_class_det": Dictionary(uniqueKeysWithValues: zip(names, cmD.perClassAccuracy))]
        try writeJSONSummary(summary, to: "\(output)/summary.json")
        return "classification: accuracy BNN \(fmt(100 * cmB.accuracy, 1)) %, deterministic \(fmt(100 * cmD.accuracy, 1)) % — \"very similar performance\" \(verdict)"
    }

    /// Mean vs σ: a 50 × 50 histogram over all events and nodes of the BNN, log10(1 + count), with
    /// the bound σ ≤ √(μ(1−μ)) drawn by the figure.
    static func meanVersusStd(_ s: PredictionSet, tag: String) -> String {
        let bins = 50
        var grid = [[Double]](repeating: [Double](repeating: 0, count: bins), count: bins)
        for i in 0 ..< s.mean.count {
            let x = min(Int(Double(s.mean[i]) * Double(bins)), bins - 1)
            let y = min(Int(Double(s.std[i]) / 0.5 * Double(bins)), bins - 1)
            grid[x][y] += 1
        }
        var text = "# mean std log10(1+count) — BNN, all test events and nodes (\(tag))\n"
        for x in 0 ..< bins {
            for y in 0 ..< bins {
                text += String(format: "%.4f %.4f %.4f\n", (Double(x) + 0.5) / Double(bins), (Double(y) + 0.5) / Double(bins) * 0.5, log10(1 + grid[x][y]))
            }
            text += "\n"
        }
        return text
    }

    /// For each true class c (a gnuplot data block, `index c`), histograms of `value` (mean or σ)
    /// of every output node: columns bin-centre, then node 0 … K−1 densities.
    static func writeNodeHistograms(_ s: PredictionSet, names: [String], value: (PredictionSet) -> [Float], upper: Double,
                                    file: String, tag: String) throws {
        let k = s.classes, v = value(s), bins = 40
        var out = "# per true class (gnuplot index = label): bin_centre density(node 0..\(k - 1)) — \(tag)\n"
        for c in 0 ..< k {
            var hists = (0 ..< k).map { _ in Histogram(bins: bins, lower: 0, upper: upper) }
            for n in 0 ..< s.count where s.label[n] == c { for j in 0 ..< k { hists[j].fill(Double(v[n * k + j])) } }
            out += "# true class \(c) \(names[c])\n"
            let centres = hists[0].centres, dens = hists.map(\.density)
            for i in 0 ..< bins { out += String(format: "%.5f", centres[i]) + dens.map { String(format: " %.5g", $0[i]) }.joined() + "\n" }
            out += "\n\n"
        }
        try writeTextAtomically(out, to: file)
    }
}

/// A JSON summary (sorted keys, pretty-printed) for scripts and the golden check.
func writeJSONSummary(_ summary: [String: Any], to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
    try writeTextAtomically(String(decoding: data, as: UTF8.self), to: path)
}
