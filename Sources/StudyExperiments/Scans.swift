// Beyond the talk: how the BNN's uncertainty depends on what the study fixed — the number of
// weight samples T, the prior width and the number of training events. One removed class (the
// talk's physics example, J/ψ → e⁺e⁻, our choice), one BNN trained without it per setting; for
// each: the AUROC of the BNN σ of the predicted node (anomaly against the known classes), and the
// median σ of the known events and of the anomalies.
import AnomalyDetection
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyReport

/// The scans of T, prior width and training size.
public enum Scans {
    /// One point of a scan: the setting's value and the prediction file it produced.
    public struct Point: Sendable {
        /// The setting (T, σ_prior, events per class).
        public var value: Double
        /// The BNN's predictions on the test set (removed class labelled K).
        public var predictions: String
        /// A point `value` read from `predictions`.
        public init(value: Double, predictions: String) { self.value = value; self.predictions = predictions }
    }

    /// The result at one point.
    public struct Result: Sendable {
        /// The setting.
        public var value: Double
        /// AUROC (± bootstrap) of the BNN σ of the predicted node.
        public var score: ScoreResult
        /// Median σ of the predicted node: known events, anomalies.
        public var medianKnown: Double, medianAnomalous: Double
        /// Overall accuracy on the known classes.
        public var accuracy: Double
    }

    /// Evaluate one scan's points (bootstrap stream: removed-class label, column 3000 + kind·100 + point).
    public static func evaluate(_ points: [Point], removed: String, kind: Int, bootstrapReplicates: Int, bootstrapSeed: UInt64,
                                registry: EventRegistry) throws -> [Result] {
        let label = registry.index(of: removed) ?? registry.classes.count
        var reference: (PredictionFile, String)? = nil
        return try points.enumerated().map { i, point in
            let p = try ExperimentInputs.predictions(point.predictions)
            if let reference { try ExperimentInputs.checkSameData(reference.0, reference.1, p, point.predictions) } else { reference = (p, point.predictions) }
            guard p.anomalyClasses == [removed] else {
                throw InputError("\(point.predictions): expected a model trained without '\(removed)' (unknown classes in its test set: \(p.anomalyClasses.joined(separator: ", ")))")
            }
            let s = p.set, k = s.classes
            let sigma = (0 ..< s.count).map { Double(s.std[$0 * k + s.predicted($0)]) }
            let anomalous = (0 ..< s.count).filter { s.label[$0] == k }, known = (0 ..< s.count).filter { s.label[$0] < k }
            func median(_ idx: [Int]) -> Double {
                let v = idx.map { sigma[$0] }.sorted()
                return v.isEmpty ? .nan : (v.count % 2 == 1 ? v[v.count / 2] : 0.5 * (v[v.count / 2 - 1] + v[v.count / 2]))
            }
            let score = AnomalyDetection.evaluate(anomalous: anomalous.map { sigma[$0] }, known: known.map { sigma[$0] },
                                                  replicates: bootstrapReplicates,
                                                  seed: StudySeeds.bootstrap(master: bootstrapSeed, removed: label, score: 3000 + 100 * kind + i))
            let correct = known.filter { s.predicted($0) == Int(s.label[$0]) }.count
            return Result(value: point.value, score: score, medianKnown: median(known), medianAnomalous: median(anomalous),
                          accuracy: Double(correct) / Double(max(known.count, 1)))
        }
    }

    /// The three scans (any may be empty) into `directory`: `scan_samples`, `scan_prior`,
    /// `scan_size` tables and `.dat` files, and macros. Returns the summary line.
    public static func run(removed: String, samples: [Point], prior: [Point], size: [Point], bootstrapReplicates: Int,
                           bootstrapSeed: UInt64, registry: EventRegistry, profile: String, to directory: String) throws -> String {
        let scans = [("samples", "T", "weight samples T", samples), ("prior", "Prior", "prior σ", prior), ("size", "Size", "training events per class", size)]
        let results = try scans.enumerated().map { kind, scan in
            try evaluate(scan.3, removed: removed, kind: kind, bootstrapReplicates: bootstrapReplicates, bootstrapSeed: bootstrapSeed, registry: registry)
        }
        let tag = "make reproduce PROFILE=\(profile), target beyond"
        let name = registry.prettyLabel(removed)
        try writeDirectoryAtomically(to: directory) { output in
            var macros = MacroFile(header: tag)
            for ((stem, macro, what, _), rows) in zip(scans, results) where !rows.isEmpty {
                try ResultTable(caption: "\(name) removed: the BNN σ of the predicted node against the \(what) — AUROC (± bootstrap s.d.) of σ, anomaly against the known classes, the median σ of known events and of anomalies, and the accuracy on the known classes (\(tag)).",
                                header: [what, "AUROC σ", "median σ known", "median σ anomaly", "accuracy known"],
                                rows: rows.map { [fmtValue($0.value), "\(fmt($0.score.auroc, 3)) ± \(fmt($0.score.aurocError, 3))",
                                                  fmt($0.medianKnown, 4), fmt($0.medianAnomalous, 4), fmt($0.accuracy, 3)] })
                    .write(to: output, stem: "scan_\(stem)")
                try writeDataFile("\(output)/scan_\(stem).dat", header: "\(what) auroc auroc_error median_sigma_known median_sigma_anomaly accuracy_known (\(tag))",
                                  rows: rows.map { [$0.value, $0.score.auroc, $0.score.aurocError, $0.medianKnown, $0.medianAnomalous, $0.accuracy] })
                for (i, r) in rows.enumerated() {
                    let point = ["A", "B", "C", "D", "E", "F", "G", "H"][min(i, 7)]
                    macros.add([("Scan\(macro)Value\(point)", fmtValue(r.value)), ("Scan\(macro)AUROC\(point)", fmt(r.score.auroc, 3)),
                                ("Scan\(macro)SigmaKnown\(point)", fmt(r.medianKnown, 4))])
                }
            }
            // Where T saturates: the smallest T whose AUROC is within one bootstrap error of the
            // largest T's (our rule).
            if let last = results[0].last {
                let t = results[0].first { abs($0.score.auroc - last.score.auroc) <= last.score.aurocError }?.value ?? last.value
                macros.add("ScanTSaturates", fmtValue(t))
            }
            // The training-size trend, as the text states it: the smallest set's median σ of the
            // known events against the largest's.
            if let first = results[2].first, let last = results[2].last {
                macros.add("ScanSizeSigmaTrend", first.medianKnown > last.medianKnown ? "larger" : "smaller")
            }
            macros.add("ScanClass", ResultTable.latexEscape(name))
            try macros.write(to: "\(output)/numbers.tex")
        }
        return "scans: \(samples.count) T values, \(prior.count) priors, \(size.count) training sizes, \(removed) removed → \(directory)"
    }

    static func fmtValue(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%g", v) }
}
