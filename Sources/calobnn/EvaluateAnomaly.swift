// `calobnn evaluate anomaly`: the leave-one-class-out results of study §5 — AUROC and TPR of
// every anomaly score per removed class, the A/B/C cases, σ summaries, example images, cost.
import AnomalyDetection
import ArgumentParser
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyReport

struct EvaluateAnomaly: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomaly",
        abstract: "§5: anomaly scores, AUROC ± bootstrap, TPR@5% FPR, A/B/C cases, cost, per removed class.")

    @Option(name: .customLong("pred-dir"), help: "Directory with loo_<class>_{bnn,det,ens<i>}.h5 predictions on the test set.")
    var predDir: String
    @Option(name: .customLong("model-dir"), help: "Directory with the matching model files (for training times).")
    var modelDir: String?
    @Option(help: "Test dataset the predictions were made on (for example images).")
    var data: String?
    @Option(name: .customLong("class"), help: "Removed classes to evaluate (comma-separated; 'all' = the study's ten).")
    var classes: [String] = ["all"]
    @Option(parsing: .unconditional, help: "Deep-ensemble members per removed class (0…100; 0 = no ensemble).")
    var ensemble: Int = 5
    @Option(parsing: .unconditional, help: "Bootstrap replicates for the AUROC errors (1…100000).")
    var bootstrap: Int = 200
    @Option(name: .customLong("bootstrap-seed"), parsing: .unconditional, help: "Master seed of the bootstrap streams (one per removed class and score).")
    var bootstrapSeed: UInt64 = 20221124
    @Option(help: "Profile name, recorded in the outputs.")
    var profile: String = "default"
    @Option(name: .short, help: "Output directory.")
    var output: String

    func validate() throws {
        guard (0 ... 100).contains(ensemble) else { throw ValidationError("--ensemble must be in 0…100 (got \(ensemble))") }
        guard (1 ... 100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be in 1…100000 (got \(bootstrap))") }
        _ = try resolveClasses(classes)
        try checkProfileName(profile)
    }

    func run() throws {
        let labels = try resolveClasses(classes)
        try checkOutputDirectory(output)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: predDir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("--pred-dir \(predDir): no such directory")
        }
        var line = ""
        try writeDirectoryAtomically(to: output) { output in line = try write(labels, into: output) }
        print(line)
    }

    /// Every table, data file and macro into `output` (a temporary directory); returns the summary line.
    func write(_ labels: [Int], into output: String) throws -> String {
        let tag = "make reproduce PROFILE=\(profile), target anomaly"
        let scores = StudyScores.all.filter { ensemble > 0 || $0.family != .ensemble }
        let dataset = try data.map(readDataset)
        let datasetIdentity = dataset?.identity
        // Every prediction file must be of the same test set (and of --data, if given).
        var reference: (file: PredictionFile, path: String)? = nil
        func readChecked(_ path: String) throws -> PredictionFile {
            let p = try readPredictions(path)
            if let data, let datasetIdentity, p.dataIdentity != datasetIdentity {
                throw CLIError("\(path) was not made on --data \(data) (it records \(p.dataFile ?? "another dataset"))")
            }
            if let reference { try checkSameData(reference.file, reference.path, p, path) } else { reference = (p, path) }
            return p
        }
        // Read and check every input before any work: a bad file fails fast and alone.
        var inputs: [(bnn: PredictionFile, det: PredictionFile, members: [PredictionFile], seconds: (Double, Double, Double))] = []
        for removed in labels {
            let name = cliRegistry.classes[removed].name
            let bnn = try readChecked("\(predDir)/loo_\(name)_bnn.h5")
            let det = try readChecked("\(predDir)/loo_\(name)_det.h5")
            guard bnn.model == "bnn", det.model == "deterministic" else {
                throw CLIError("\(predDir)/loo_\(name)_bnn.h5 and _det.h5 must hold bnn and deterministic predictions (found \(bnn.model), \(det.model))")
            }
            guard det.outputClasses == bnn.outputClasses else {
                throw CLIError("\(predDir)/loo_\(name)_det.h5 has other output classes than loo_\(name)_bnn.h5")
            }
            guard !bnn.outputClasses.contains(name) else {
                throw CLIError("\(predDir)/loo_\(name)_bnn.h5: the model was trained with '\(name)', which should be the removed class")
            }
            let members = try (0 ..< ensemble).map { try readChecked("\(predDir)/loo_\(name)_ens\($0 + 1).h5") }
            if let bad = members.firstIndex(where: { $0.outputClasses != bnn.outputClasses }) {
                throw CLIError("\(predDir)/loo_\(name)_ens\(bad + 1).h5 has other output classes than loo_\(name)_bnn.h5")
            }
            let k = bnn.set.classes
            guard bnn.set.label.contains(Int32(k)), bnn.set.label.contains(where: { $0 < Int32(k) }) else {
                throw CLIError("\(predDir)/loo_\(name)_bnn.h5: the test set needs events of the removed class and of known classes")
            }
            // Cost: training time of BNN, deterministic, ensemble (models that exist must match).
            let tb = try readModelRecord(modelDir.map { "\($0)/loo_\(name)_bnn.h5" }, for: bnn, "\(predDir)/loo_\(name)_bnn.h5")?.seconds ?? .nan
            let td = try readModelRecord(modelDir.map { "\($0)/loo_\(name)_det.h5" }, for: det, "\(predDir)/loo_\(name)_det.h5")?.seconds ?? .nan
            let te = try (0 ..< ensemble).map { member in
                try readModelRecord(modelDir.map { "\($0)/loo_\(name)_ens\(member + 1).h5" }, for: members[member],
                                    "\(predDir)/loo_\(name)_ens\(member + 1).h5")?.seconds ?? .nan
            }.reduce(0, +)
            inputs.append((bnn, det, members, (tb, td, te)))
        }
        var aurocRows: [[String]] = [], tprRows: [[String]] = [], caseRows: [[String]] = [], costRows: [[String]] = []
        var bold = Set<[Int]>()
        var stdSummary: [[Double]] = []
        var summary: [String: Any] = ["profile": profile]
        var macros: [(String, String)] = []
        for (row, removed) in labels.enumerated() {
            let name = cliRegistry.classes[removed].name
            let progress = ProgressReporter(stage: "evaluate anomaly \(name)", total: scores.count, unit: "scores")
            let (bnn, det, members, (tb, td, te)) = inputs[row]
            let ens = members.isEmpty ? nil : AnomalyDetection.ensemble(members.map(\.set))
            let k = bnn.set.classes
            func sets(_ f: AnomalyScore.Family) -> PredictionSet {
                switch f { case .bnn: bnn.set; case .deterministic: det.set; case .ensemble: ens! }
            }
            let anomalyIdx = (0 ..< bnn.set.count).filter { bnn.set.label[$0] == k }
            let knownIdx = (0 ..< bnn.set.count).filter { bnn.set.label[$0] < k }
            var results: [ScoreResult] = []
            for (j, score) in scores.enumerated() {
                let s = sets(score.family)
                let values = (0 ..< s.count).map { score.evaluate(s, $0) }
                results.append(AnomalyDetection.evaluate(anomalous: anomalyIdx.map { values[$0] }, known: knownIdx.map { values[$0] },
                                                         replicates: bootstrap, seed: SeedSalt.bootstrap(bootstrapSeed, removed: removed, score: j)))
                progress.update(j + 1)
            }
            progress.finish()
            let best = results.indices.max { results[$0].auroc < results[$1].auroc }!
            bold.insert([row, best + 1])
            aurocRows.append([prettyLabel(name)] + results.map { "\(fmt($0.auroc, 3)) ± \(fmt($0.aurocError, 3))" })
            tprRows.append([prettyLabel(name)] + results.map { fmt($0.tprAt5, 3) })
            var perScore: [String: Any] = [:]
            for (j, score) in scores.enumerated() { perScore[score.key] = ["auroc": results[j].auroc, "error": results[j].aurocError, "tpr5": results[j].tprAt5] }
            summary[name] = perScore
            macros.append(("AUROCStd\(macroName(name))", fmt(results[0].auroc, 3)))
            macros.append(("AUROCBest\(macroName(name))", fmt(results[best].auroc, 3)))
            macros.append(("BestScore\(macroName(name))", ResultTableLabel.plain(scores[best].label)))

            // A/B/C among the anomalies, and among known events for reference.
            let anomalies = bnn.set.filter { $0 == Int32(k) }, known = bnn.set.filter { $0 < Int32(k) }
            let fa = caseFractions(anomalies), fk = caseFractions(known)
            caseRows.append([prettyLabel(name)] + AnomalyCase.allCases.map { fmt(fa[$0] ?? 0, 3) } + AnomalyCase.allCases.map { fmt(fk[$0] ?? 0, 3) })

            // σ of the predicted node: quantiles for the anomaly and the known classes.
            func quantiles(_ idx: [Int]) -> [Double] {
                let v = idx.map { Double(bnn.set.std[$0 * k + bnn.set.predicted($0)]) }.sorted()
                return [0.16, 0.5, 0.84].map { v[min(v.count - 1, Int($0 * Double(v.count)))] }
            }
            stdSummary.append([Double(row)] + quantiles(anomalyIdx) + quantiles(knownIdx))

            // Per removed class: distributions of σ(pred) and max mean, anomaly vs known.
            var hs = (0 ..< 4).map { _ in Histogram(bins: 40, lower: 0, upper: 1) }
            for n in anomalyIdx { hs[0].fill(2 * Double(bnn.set.std[n * k + bnn.set.predicted(n)])); hs[2].fill(Double(bnn.set.means(n).max()!)) }
            for n in knownIdx { hs[1].fill(2 * Double(bnn.set.std[n * k + bnn.set.predicted(n)])); hs[3].fill(Double(bnn.set.means(n).max()!)) }
            let centres = hs[0].centres
            try writeDataFile("\(output)/loo_\(name).dat",
                              header: "bin_centre(σ·2 | max mean) σ_anomaly σ_known maxmean_anomaly maxmean_known (densities; σ axis = centre/2) — \(tag)",
                              rows: (0 ..< 40).map { i in [centres[i]] + hs.map { $0.density[i] } })

            // Example images of each case (middle layer, 12×12), if the test set was given.
            if let dataset {
                try writeCaseExamples(dataset: dataset, set: anomalies, indices: anomalyIdx, name: name, tag: tag, into: output)
            }

            // Cost: training and prediction time of BNN, deterministic, ensemble.
            costRows.append([prettyLabel(name), fmt(tb, 0), fmt(td, 0), fmt(te, 0), fmt(bnn.seconds, 1), fmt(det.seconds, 1),
                             fmt(members.map(\.seconds).reduce(0, +), 1)])
        }
        let scoreHeader = ["removed class"] + scores.map(\.label)
        var auroc = ResultTable(caption: "AUROC (± bootstrap s.d.) of each anomaly score, the removed class against the known classes' test events; best per row in bold (\(tag)).",
                                header: scoreHeader, rows: aurocRows)
        auroc.bold = bold
        try auroc.write(to: output, stem: "auroc")
        try ResultTable(caption: "True-positive rate at 5 % false-positive rate (\(tag)).", header: scoreHeader, rows: tprRows)
            .write(to: output, stem: "tpr5")
        try ResultTable(caption: "Fractions of the A/B/C cases among the anomalous events, and among the known classes' events for reference. C: ≥ 5 % of weight samples disagree while the predicted node's mean ≥ 0.7; B: ≥ 2 nodes with mean ≥ 0.2; A: no jumps and σ of the predicted node < 0.01 (checked in the order C, B, A) (\(tag)).",
                        header: ["removed class", "A", "B", "C", "other", "known A", "known B", "known C", "known other"], rows: caseRows)
            .write(to: output, stem: "cases")
        try ResultTable(caption: "Cost per removed class: training and prediction wall time in seconds on 2 cores; ensemble = \(ensemble) deterministic members (\(tag)).",
                        header: ["removed class", "train BNN", "train det.", "train ens.", "predict BNN", "predict det.", "predict ens."], rows: costRows)
            .write(to: output, stem: "cost")
        try writeDataFile("\(output)/std_summary.dat",
                          header: "row σ16_anomaly σ50_anomaly σ84_anomaly σ16_known σ50_known σ84_known — BNN σ of the predicted node (\(tag)); row order: \(labels.map { cliRegistry.classes[$0].name }.joined(separator: ","))",
                          rows: stdSummary)
        try writeTextAtomically(labels.enumerated().map { "\($0.offset) \"\(cliRegistry.classes[$0.element].label)\"" }.joined(separator: "\n") + "\n",
                                to: "\(output)/class_labels.txt")
        try writeMacros(macros, to: "\(output)/numbers.tex", header: tag)
        try writeTextAtomically(String(data: try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys]), encoding: .utf8)!,
                                to: "\(output)/summary.json")
        return ("anomaly: wrote \(labels.count) removed classes × \(scores.count) scores to \(self.output)")
    }

    /// The first anomalous event of each case: its middle-layer image as gnuplot blocks
    /// (index = case A, B, C, other; rows "x y E/MeV"; an empty block if no event has the case).
    func writeCaseExamples(dataset: CaloDataset, set: PredictionSet, indices: [Int], name: String, tag: String, into output: String) throws {
        let g = dataset.geometry, layer = g.layers[1], off = g.layerOffsets[1]
        var out = "# middle-layer images of one anomalous event per case A,B,C,other (gnuplot index 0..3): x y E_MeV — \(tag)\n"
        for c in AnomalyCase.allCases {
            out += "# case \(c.rawValue)\n"
            if let j = (0 ..< set.count).first(where: { anomalyCase(set, $0) == c }) {
                let n = indices[j]
                for ix in 0 ..< layer.cellsX {
                    for iy in 0 ..< layer.cellsY {
                        out += "\(ix) \(iy) \(dataset.batch.cells[n * g.totalCells + off + ix * layer.cellsY + iy])\n"
                    }
                    out += "\n"
                }
            } else {
                out += "0 0 0\n"
            }
            out += "\n\n"
        }
        try writeTextAtomically(out, to: "\(output)/examples_\(name).dat")
    }
}

/// Named seed salts of the analysis: each sub-stream's seed is derived from a master seed
/// (`--bootstrap-seed`), a name and indices (StudyRandom's `SeedDerivation`), so no stream shifts another.
enum SeedSalt {
    /// The bootstrap stream of (removed class, score).
    static func bootstrap(_ master: UInt64, removed: Int, score: Int) -> UInt64 {
        SeedDerivation.seed(master, salt: "bootstrap", UInt64(removed), UInt64(score))
    }
}

/// Labels in macros: plain text without Unicode (TeX macro bodies are typeset by the Paper).
enum ResultTableLabel {
    static func plain(_ s: String) -> String {
        s.replacingOccurrences(of: "σ", with: "$\\sigma$").replacingOccurrences(of: "Σ", with: "$\\Sigma$")
            .replacingOccurrences(of: "−", with: "-")
    }
}
