// Study §5, "Anomaly detection": leave one class out. For every removed class, a BNN, its
// deterministic twin and a deep ensemble were trained on the other classes and predicted the
// full test set; here every anomaly score separates the removed class's events from the known
// classes' events — AUROC with a bootstrap error, TPR at 5 % FPR — and the BNN's outputs are
// sorted into the talk's cases A/B/C. The counts and verdicts the Paper's text quotes are
// computed here too, over the values the tables print (so text and table cannot disagree).
import AnomalyDetection
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyReport

/// The §5 experiment.
public enum LeaveOneOut {
    /// What to evaluate and how.
    public struct Configuration: Sendable {
        /// The removed classes, by name, in table row order.
        public var removedClasses: [String]
        /// Deep-ensemble members per removed class (0: no ensemble scores).
        public var ensembleMembers: Int
        /// Bootstrap replicates of the AUROC errors.
        public var bootstrapReplicates: Int
        /// Master seed of the bootstrap streams (one stream per removed class and score, see
        /// ``StudySeeds/bootstrap(master:removed:score:)``).
        public var bootstrapSeed: UInt64
        /// The registry that gives each class its label (the bootstrap stream's index) and its
        /// printed name.
        public var registry: EventRegistry
        /// Profile name, recorded in captions.
        public var profile: String
        /// Dedicated detectors whose score files `loo_<class>_<detector>.h5` are evaluated too.
        public var detectors: [Detector] = []
        /// Independently seeded trainings of each network, S ≥ 1 (1: the main training only).
        /// Seed 0 is the main run; for r = 1 … S − 1 the BNN is `loo_<class>_bnn_s<r>.h5`, the
        /// twin is ensemble member `ens<r>` (the same training from another seed: the ensemble's
        /// members are independent twins), and each detector is `loo_<class>_<detector>_s<r>.h5`,
        /// fitted on that twin. The ensemble itself is not repeated (its spread needs `REPEATS`).
        public var seeds = 1

        /// A configuration; every value explicit.
        public init(removedClasses: [String], ensembleMembers: Int, bootstrapReplicates: Int, bootstrapSeed: UInt64,
                    registry: EventRegistry, profile: String) {
            self.removedClasses = removedClasses; self.ensembleMembers = ensembleMembers
            self.bootstrapReplicates = bootstrapReplicates; self.bootstrapSeed = bootstrapSeed
            self.registry = registry; self.profile = profile
        }

        /// The scores evaluated: the study's table, without the ensemble's if there is none.
        public var scores: [AnomalyScore] { StudyScores.all.filter { ensembleMembers > 0 || $0.family != .ensemble } }
    }

    /// The predictions of one removed class's networks on the test set.
    public struct ClassInputs: Sendable {
        /// The removed class.
        public var removed: String
        /// The BNN's, the twin's and the ensemble members' predictions (the removed class's
        /// events labelled K, see `PredictionFile.set`).
        public var bnn: PredictionSet, det: PredictionSet, members: [PredictionSet]
        /// Training wall time of the BNN, the twin and the whole ensemble, seconds (NaN: unknown).
        public var trainingSeconds: (bnn: Double, det: Double, ensemble: Double) = (.nan, .nan, .nan)
        /// Prediction wall time of the BNN, the twin and the whole ensemble, seconds.
        public var predictionSeconds: (bnn: Double, det: Double, ensemble: Double) = (.nan, .nan, .nan)
        /// The data-quality variables of every test event, in the predictions' event order (empty:
        /// no dataset given, no data-quality baseline).
        public var dataQuality: [DataQualityVariable: [Double]] = [:]
        /// The dedicated detectors' scores of every test event, in the predictions' event order.
        public var detectorScores: [Detector: [Double]] = [:]
        /// The BNN and the twin trained from seeds 1 … S − 1 (see ``Configuration/seeds``).
        public var bnnSeeds: [PredictionSet] = [], twinSeeds: [PredictionSet] = []
        /// Each detector's scores from seeds 1 … S − 1.
        public var detectorSeedScores: [Detector: [[Double]]] = [:]
        /// Each detector's fitting and scoring wall time (seed 0), seconds.
        public var detectorSeconds: [Detector: (fit: Double, score: Double)] = [:]
        /// The names of the K output nodes' classes (the prediction files' output classes; empty:
        /// unknown, the example figures then number the nodes only).
        public var outputClasses: [String] = []

        /// In-memory inputs (a user's own networks; no timing).
        public init(removed: String, bnn: PredictionSet, det: PredictionSet, members: [PredictionSet] = []) {
            self.removed = removed; self.bnn = bnn; self.det = det; self.members = members
        }
    }

    /// One removed class's results.
    public struct ClassResult: Sendable {
        /// The removed class.
        public var removed: String
        /// One result per score of ``Configuration/scores``, in that order.
        public var scores: [ScoreResult]
        /// The column of the best score (largest AUROC; the first of equals).
        public var best: Int
        /// Fractions of the cases A/B/C/other among the anomalies and among the known events.
        public var casesAnomalous: [AnomalyCase: Double], casesKnown: [AnomalyCase: Double]
        /// 16 %, 50 % and 84 % quantiles of the BNN σ of the predicted node, anomalies and known.
        public var stdQuantilesAnomalous: [Double], stdQuantilesKnown: [Double]
        /// The data-quality baselines, one per ``DataQualityVariable`` (in `allCases` order), each a
        /// two-sided tail score fixed on the known classes; empty without a dataset.
        public var dataQuality: [ScoreResult] = []
        /// What the deterministic twin does with the anomalies of each BNN case (A, B, C, other).
        public var twinOnCases: [AnomalyCase: TwinView] = [:]
        /// The dedicated detectors' results, in ``Configuration/detectors`` order.
        public var detectors: [ScoreResult] = []
        /// AUROC of every seeded score for seeds 0 … S − 1, keyed by the score's key or the
        /// detector's name (the ensemble's scores are not seeded).
        public var seedAUROCs: [String: [Double]] = [:]
        /// The same for the AUPR and the FPR at 95 % TPR.
        public var seedAUPRs: [String: [Double]] = [:], seedFPR95s: [String: [Double]] = [:]
        /// The A/B/C thresholds of the BNN and of the twin, fixed on the known events.
        public var thresholds = CaseThresholds(), twinThresholds = CaseThresholds()
        /// The spread of score `key` over the seeds (the main training's AUROC alone if it has
        /// none) and the uncertainty of its mean with `main`'s bootstrap error.
        public func seedSpread(_ key: String, main: ScoreResult) -> (spread: SeedSpread, uncertainty: Double) {
            let sp = SeedSpread(seedAUROCs[key] ?? [main.auroc])
            return (sp, sp.uncertainty(bootstrap: main.aurocError))
        }
        /// The same for the BNN σ of the predicted node (the first score).
        public var stdSeedSpread: (spread: SeedSpread, uncertainty: Double) { seedSpread(StudyScores.bnnStdPredicted.key, main: scores[0]) }
        /// Expected calibration error on the known classes' test events: BNN, twin, ensemble.
        public var calibration: (bnn: Calibration, det: Calibration, ensemble: Calibration?)? = nil
    }

    /// Mean and standard deviation (1/(S − 1); 0 for one value) of AUROCs over seeds.
    public struct SeedSpread: Sendable, Equatable {
        /// Mean over the seeds.
        public var mean: Double
        /// Standard deviation between the seeds.
        public var spread: Double
        /// Number of seeds.
        public var count: Int

        /// The spread of `values`.
        public init(_ values: [Double]) {
            count = values.count
            mean = values.reduce(0, +) / Double(max(count, 1))
            let m = mean
            spread = count > 1 ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(count - 1)).squareRoot() : 0
        }

        /// The uncertainty of the mean: the bootstrap error (test-set fluctuation, shared by the
        /// seeds) and the seeds' standard error, in quadrature: √(b² + s²/S).
        public func uncertainty(bootstrap b: Double) -> Double { (b * b + spread * spread / Double(max(count, 1))).squareRoot() }
    }

    /// The twin's view of a set of events: does it see them as anomalous too?
    public struct TwinView: Sendable, Equatable {
        /// Number of events.
        public var count: Int
        /// Median of the twin's largest softmax output.
        public var medianMaxSoftmax: Double
        /// Fraction of the events the twin is not confident about: largest softmax below
        /// `CaseThresholds.confidentMean` (0.7) or a second output at or above
        /// `CaseThresholds.activeMean` — thresholds fixed like the BNN's cases, on the twin's own
        /// known events (`CaseThresholds.fromKnown(_:known:)` of AnomalyDetection).
        public var notConfident: Double
    }

    /// The twin's view of the events `indices` of `det`.
    public static func twinView(_ det: PredictionSet, _ indices: [Int], thresholds t: CaseThresholds = CaseThresholds()) -> TwinView {
        guard !indices.isEmpty else { return TwinView(count: 0, medianMaxSoftmax: .nan, notConfident: .nan) }
        let maxima = indices.map { Double(det.means($0).max()!) }.sorted()
        let unsure = indices.filter { n in
            let m = det.means(n)
            return m.max()! < t.confidentMean || m.filter { $0 >= t.activeMean }.count >= 2
        }.count
        let median = maxima.count % 2 == 1 ? maxima[maxima.count / 2] : 0.5 * (maxima[maxima.count / 2 - 1] + maxima[maxima.count / 2])
        return TwinView(count: indices.count, medianMaxSoftmax: median, notConfident: Double(unsure) / Double(indices.count))
    }

    /// Read `loo_<class>_{bnn,det,ens<i>}.h5` of every removed class from `predictions` (and the
    /// matching model files from `models`, for training times), checking that every file is of
    /// the same test set (and of `data`, if given), of the right kind and of the right classes.
    /// Every input is read and checked before any work: a bad file fails fast and alone.
    public static func load(_ configuration: Configuration, predictions predDir: String, models modelDir: String?,
                            data: (file: NamedFile, identity: String)?) throws -> [ClassInputs] {
        var reference: (file: PredictionFile, path: String)? = nil
        func readChecked(_ path: String) throws -> PredictionFile {
            let p = try ExperimentInputs.predictions(path)
            if let data, p.dataIdentity != data.identity {
                throw InputError("\(path) was not made on \(data.file.name) \(data.file.path) (it records \(p.dataFile ?? "another dataset"))")
            }
            if let reference { try ExperimentInputs.checkSameData(reference.file, reference.path, p, path) } else { reference = (p, path) }
            return p
        }
        return try configuration.removedClasses.map { name in
            let bnnPath = "\(predDir)/loo_\(name)_bnn.h5", detPath = "\(predDir)/loo_\(name)_det.h5"
            let bnn = try readChecked(bnnPath), det = try readChecked(detPath)
            guard bnn.model == "bnn", det.model == "deterministic" else {
                throw InputError("\(bnnPath) and _det.h5 must hold bnn and deterministic predictions (found \(bnn.model), \(det.model))")
            }
            guard det.outputClasses == bnn.outputClasses else { throw InputError("\(detPath) has other output classes than loo_\(name)_bnn.h5") }
            guard !bnn.outputClasses.contains(name) else {
                throw InputError("\(bnnPath): the model was trained with '\(name)', which should be the removed class")
            }
            // Twins from other seeds: members 1 … max(E, S − 1); the ensemble is the first E.
            let runs = max(configuration.ensembleMembers, configuration.seeds - 1)
            let runPaths = (0 ..< runs).map { "\(predDir)/loo_\(name)_ens\($0 + 1).h5" }
            let twinRuns = try runPaths.map(readChecked)
            if let bad = twinRuns.firstIndex(where: { $0.model != "deterministic" || $0.outputClasses != bnn.outputClasses }) {
                throw InputError("\(runPaths[bad]) must hold deterministic predictions of the classes of loo_\(name)_bnn.h5")
            }
            let members = Array(twinRuns.prefix(configuration.ensembleMembers)), memberPaths = Array(runPaths.prefix(configuration.ensembleMembers))
            let bnnSeedPaths = (1 ..< max(configuration.seeds, 1)).map { "\(predDir)/loo_\(name)_bnn_s\($0).h5" }
            let bnnSeeds = try bnnSeedPaths.map(readChecked)
            if let bad = bnnSeeds.firstIndex(where: { $0.model != "bnn" || $0.outputClasses != bnn.outputClasses }) {
                throw InputError("\(bnnSeedPaths[bad]) must hold BNN predictions of the classes of loo_\(name)_bnn.h5")
            }
            let k = bnn.set.classes
            guard bnn.set.label.contains(Int32(k)), bnn.set.label.contains(where: { $0 < Int32(k) }) else {
                throw InputError("\(bnnPath): the test set needs events of the removed class and of known classes")
            }
            // The removed class must be the only class the model does not know (else events of
            // other unknown classes would silently count as anomalies of this one).
            guard bnn.anomalyClasses == [name] else {
                throw InputError("\(bnnPath): the test set holds classes the model was not trained on besides '\(name)': \(bnn.anomalyClasses.filter { $0 != name }.joined(separator: ", "))")
            }
            func seconds(_ file: String, _ p: PredictionFile, _ pred: String) throws -> Double {
                try ExperimentInputs.trainingRecord(modelDir.map { "\($0)/\(file)" }, for: p, pred)?.seconds ?? .nan
            }
            var inputs = ClassInputs(removed: name, bnn: bnn.set, det: det.set, members: members.map(\.set))
            inputs.outputClasses = bnn.outputClasses
            inputs.bnnSeeds = bnnSeeds.map(\.set)
            inputs.twinSeeds = twinRuns.prefix(max(configuration.seeds - 1, 0)).map(\.set)
            // Seed r's detector must come from seed r's twin (r = 0: the twin itself).
            func detectorScores(_ detector: Detector, seed r: Int) throws -> ScoreFile {
                let path = "\(predDir)/loo_\(name)_\(detector.rawValue)\(r == 0 ? "" : "_s\(r)").h5"
                let twin = r == 0 ? det : twinRuns[r - 1], twinPath = r == 0 ? detPath : runPaths[r - 1]
                let file: ScoreFile
                do { file = try ScoreFile.read(path) } catch { throw InputError("\(error)") }
                guard file.dataIdentity == twin.dataIdentity, file.label == twin.set.label else {
                    throw InputError("\(path) was not made on the test set of \(twinPath)")
                }
                guard file.modelIdentity == twin.modelIdentity else {
                    throw InputError("\(path) was not made with the twin that made \(twinPath)")
                }
                return file
            }
            for detector in configuration.detectors {
                let main = try detectorScores(detector, seed: 0)
                inputs.detectorScores[detector] = main.score
                inputs.detectorSeconds[detector] = (main.fitSeconds, main.seconds)
                inputs.detectorSeedScores[detector] = try (1 ..< max(configuration.seeds, 1)).map { try detectorScores(detector, seed: $0).score }
            }
            inputs.trainingSeconds = (try seconds("loo_\(name)_bnn.h5", bnn, bnnPath), try seconds("loo_\(name)_det.h5", det, detPath),
                                      try members.indices.map { try seconds("loo_\(name)_ens\($0 + 1).h5", members[$0], memberPaths[$0]) }.reduce(0, +))
            inputs.predictionSeconds = (bnn.seconds, det.seconds, members.map(\.seconds).reduce(0, +))
            return inputs
        }
    }

    /// Evaluate every score for one removed class. `progress(done, total)` after each score.
    public static func evaluate(_ inputs: ClassInputs, _ configuration: Configuration,
                                progress: (Int, Int) -> Void = { _, _ in }) -> ClassResult {
        let scores = configuration.scores
        let ens = inputs.members.isEmpty ? nil : AnomalyDetection.ensemble(inputs.members)
        let bnn = inputs.bnn, k = bnn.classes
        // The bootstrap stream is indexed by the removed class's label in the registry.
        let label = configuration.registry.index(of: inputs.removed) ?? configuration.registry.classes.count
        let anomalyIdx = (0 ..< bnn.count).filter { bnn.label[$0] == k }
        let knownIdx = (0 ..< bnn.count).filter { bnn.label[$0] < k }
        var results: [ScoreResult] = []
        for (j, score) in scores.enumerated() {
            let s: PredictionSet
            switch score.family { case .bnn: s = bnn; case .deterministic: s = inputs.det; case .ensemble: s = ens! }
            let values = (0 ..< s.count).map { score.evaluate(s, $0) }
            results.append(AnomalyDetection.evaluate(anomalous: anomalyIdx.map { values[$0] }, known: knownIdx.map { values[$0] },
                                                     replicates: configuration.bootstrapReplicates,
                                                     seed: StudySeeds.bootstrap(master: configuration.bootstrapSeed, removed: label, score: j)))
            progress(j + 1, scores.count)
        }
        let best = results.indices.max { results[$0].auroc < results[$1].auroc }!
        func quantiles(_ idx: [Int]) -> [Double] {
            let v = idx.map { Double(bnn.std[$0 * k + bnn.predicted($0)]) }.sorted()
            return [0.16, 0.5, 0.84].map { v[min(v.count - 1, Int($0 * Double(v.count)))] }
        }
        // The A/B/C thresholds, fixed on the known events (CaseThresholds.fromKnown).
        let thresholds = CaseThresholds.fromKnown(bnn, known: knownIdx)
        var result = ClassResult(removed: inputs.removed, scores: results, best: best,
                                 casesAnomalous: caseFractions(bnn.filter { $0 == Int32(k) }, thresholds: thresholds),
                                 casesKnown: caseFractions(bnn.filter { $0 < Int32(k) }, thresholds: thresholds),
                                 stdQuantilesAnomalous: quantiles(anomalyIdx), stdQuantilesKnown: quantiles(knownIdx))
        // Data-quality baselines: bootstrap streams after the scores' (column 1000 + variable).
        for (v, variable) in DataQualityVariable.allCases.enumerated() {
            guard let x = inputs.dataQuality[variable] else { continue }
            let score = twoSidedTailScore(x, reference: knownIdx.map { x[$0] })
            result.dataQuality.append(AnomalyDetection.evaluate(anomalous: anomalyIdx.map { score[$0] }, known: knownIdx.map { score[$0] },
                                                                replicates: configuration.bootstrapReplicates,
                                                                seed: StudySeeds.bootstrap(master: configuration.bootstrapSeed, removed: label, score: 1000 + v)))
        }
        // Dedicated detectors: bootstrap streams at column 2000 + detector.
        for (d, detector) in configuration.detectors.enumerated() {
            guard let x = inputs.detectorScores[detector] else { continue }
            result.detectors.append(AnomalyDetection.evaluate(anomalous: anomalyIdx.map { x[$0] }, known: knownIdx.map { x[$0] },
                                                              replicates: configuration.bootstrapReplicates,
                                                              seed: StudySeeds.bootstrap(master: configuration.bootstrapSeed, removed: label, score: 2000 + d)))
        }
        // Other seeds: the AUROC of every seeded score (no bootstrap: its error is seed 0's).
        func auroc(_ values: [Double]) -> Double {
            ROC.auc(positive: anomalyIdx.map { values[$0] }, negative: knownIdx.map { values[$0] })
        }
        func others(_ values: [Double]) -> (ap: Double, fpr: Double) {
            ROC.averagePrecisionAndFPR(atTPR: 0.95, positive: anomalyIdx.map { values[$0] }, negative: knownIdx.map { values[$0] })
        }
        func record(_ key: String, _ main: ScoreResult, _ runs: [[Double]]) {
            result.seedAUROCs[key] = [main.auroc] + runs.map(auroc)
            let rest = runs.map(others)
            result.seedAUPRs[key] = [main.aupr] + rest.map(\.ap)
            result.seedFPR95s[key] = [main.fprAt95] + rest.map(\.fpr)
        }
        for (j, score) in scores.enumerated() where score.family != .ensemble {
            let runs = score.family == .bnn ? inputs.bnnSeeds : inputs.twinSeeds
            record(score.key, results[j], runs.map { s in (0 ..< s.count).map { score.evaluate(s, $0) } })
        }
        for (d, detector) in configuration.detectors.enumerated() where d < result.detectors.count {
            record(detector.rawValue, result.detectors[d], inputs.detectorSeedScores[detector] ?? [])
        }
        result.calibration = (Calibration(bnn), Calibration(inputs.det), ens.map { Calibration($0) })
        // The twin on the anomalies of each BNN case; its own "not confident" threshold is fixed
        // on its known events the same way.
        result.thresholds = thresholds
        let twinThresholds = CaseThresholds.fromKnown(inputs.det, known: knownIdx)
        let anomalies = bnn.filter { $0 == Int32(k) }
        for c in AnomalyCase.allCases {
            let members = (0 ..< anomalies.count).filter { anomalyCase(anomalies, $0, thresholds: thresholds) == c }.map { anomalyIdx[$0] }
            result.twinOnCases[c] = twinView(inputs.det, members, thresholds: twinThresholds)
        }
        result.twinThresholds = twinThresholds
        return result
    }

    /// The whole experiment as `calobnn evaluate anomaly` runs it: load, evaluate every removed
    /// class (progress lines on stderr unless `quiet`), write every output into `directory`
    /// atomically. Returns the one-line summary.
    public static func run(_ configuration: Configuration, predictions: String, models: String?, data: NamedFile?,
                           to directory: String, quiet: Bool = false) throws -> String {
        let dataset = try data.map(ExperimentInputs.dataset)
        var inputs = try load(configuration, predictions: predictions, models: models,
                              data: data.flatMap { d in dataset.map { (d, $0.identity) } })
        if let dataset {
            let values = Dictionary(uniqueKeysWithValues: DataQualityVariable.allCases.map { ($0, $0.values(dataset)) })
            for i in inputs.indices { inputs[i].dataQuality = values }
        }
        var line = ""
        try writeDirectoryAtomically(to: directory) { output in
            var results: [ClassResult] = []
            for input in inputs {
                let progress = ProgressReporter(stage: "evaluate anomaly \(input.removed)", total: configuration.scores.count,
                                                unit: "scores", quiet: quiet)
                results.append(evaluate(input, configuration) { done, _ in progress.update(done) })
                progress.finish()
            }
            try write(results, inputs, configuration, dataset: dataset, into: output)
            line = "anomaly: wrote \(results.count) removed classes × \(configuration.scores.count) scores to \(directory)"
        }
        return line
    }

    /// Every table, data file and macro of §5 into `output`.
    public static func write(_ results: [ClassResult], _ inputs: [ClassInputs], _ configuration: Configuration,
                             dataset: CaloDataset?, into output: String) throws {
        let tag = "make reproduce PROFILE=\(configuration.profile), target anomaly"
        let scores = configuration.scores, label = configuration.registry.prettyLabel
        var aurocRows: [[String]] = [], tprRows: [[String]] = [], caseRows: [[String]] = [], costRows: [[String]] = []
        var auprRows: [[String]] = [], fpr95Rows: [[String]] = [], detectorRows: [[String]] = [], detectorRateRows: [[String]] = []
        var bold = Set<[Int]>()
        var stdSummary: [[Double]] = []
        var summary: [String: Any] = ["profile": configuration.profile, "detectors": configuration.detectors.map(\.rawValue)]
        var macros = MacroFile(header: tag)
        let withDQ = results.contains { !$0.dataQuality.isEmpty }
        var dqRows: [[String]] = [], twinRows: [[String]] = [], seedRows: [[String]] = [], calibrationRows: [[String]] = []
        var thresholdRows: [[String]] = []
        let seeded = seededColumns(configuration)
        var eceSums = [0.0, 0.0, 0.0]
        for (row, (r, input)) in zip(results, inputs).enumerated() {
            let name = r.removed
            // Training spreads: mean ± s.d. over the seeds of each seeded score.
            var seedRow = [label(name)], seedSummary: [String: Any] = [:]
            for (key, _) in seeded {
                guard let v = r.seedAUROCs[key] else { seedRow.append("—"); continue }
                let sp = SeedSpread(v)
                seedRow.append("\(fmt(sp.mean, 3)) ± \(fmt(sp.spread, 3))")
            }
            for (key, v) in r.seedAUROCs {
                let sp = SeedSpread(v), ap = SeedSpread(r.seedAUPRs[key] ?? []), fpr = SeedSpread(r.seedFPR95s[key] ?? [])
                seedSummary[key] = ["mean": sp.mean, "spread": sp.spread, "aurocs": v,
                                    "aupr_mean": ap.mean, "aupr_spread": ap.spread, "fpr95_mean": fpr.mean, "fpr95_spread": fpr.spread]
            }
            seedRows.append(seedRow)
            if let perSeed = r.seedAUROCs[StudyScores.bnnStdPredicted.key] {
                let sp = r.stdSeedSpread.spread
                macros.add("AUROCStdMean\(macroName(name))", fmt(sp.mean, 3)); macros.add("AUROCStdSpread\(macroName(name))", fmt(sp.spread, 3))
                // Every seed's value, in seed order, as a list for the text ("0.331, 0.663 and 0.549").
                macros.add("AUROCStdSeeds\(macroName(name))", englishList(perSeed.map { fmt($0, 3) }))
            }
            for detector in configuration.detectors {
                guard let v = r.seedAUROCs[detector.rawValue] else { continue }
                let sp = SeedSpread(v)
                macros.add("AUROC\(macroName(detector.rawValue))Mean\(macroName(name))", fmt(sp.mean, 3))
                macros.add("AUROC\(macroName(detector.rawValue))Spread\(macroName(name))", fmt(sp.spread, 3))
            }
            if let cal = r.calibration {
                let eces = [cal.bnn.ece, cal.det.ece, cal.ensemble?.ece ?? .nan]
                for j in 0 ..< 3 { eceSums[j] += eces[j] }
                calibrationRows.append([label(name)] + eces.prefix(cal.ensemble == nil ? 2 : 3).map { fmt($0, 3) })
            }
            // Ties: every score whose printed AUROC equals the best printed one is bold.
            let tied = tiedBest(r.scores)
            for j in tied { bold.insert([row, j + 1]) }
            var cells = r.scores.map { "\(fmt($0.auroc, 3)) ± \(fmt($0.aurocError, 3))" }
            if withDQ {
                // The best data-quality cut, chosen on the anomaly itself: an optimistic baseline.
                let v = r.dataQuality.indices.max { r.dataQuality[$0].auroc < r.dataQuality[$1].auroc }!
                cells.append("\(fmt(r.dataQuality[v].auroc, 3)) ± \(fmt(r.dataQuality[v].aurocError, 3))")
                macros.add("AUROCDQ\(macroName(name))", fmt(r.dataQuality[v].auroc, 3))
                macros.add("DQBest\(macroName(name))", ResultTable.latexEscape(DataQualityVariable.allCases[v].label))
                dqRows.append([label(name)] + r.dataQuality.map { "\(fmt($0.auroc, 3)) ± \(fmt($0.aurocError, 3))" })
            }
            aurocRows.append([label(name)] + cells)
            var twinRow = [label(name)]
            for c in [AnomalyCase.a, .b, .c] {
                let view = r.twinOnCases[c] ?? TwinView(count: 0, medianMaxSoftmax: .nan, notConfident: .nan)
                twinRow += ["\(view.count)", fmt(view.medianMaxSoftmax, 3), fmt(view.notConfident, 3)]
                macros.add("TwinUnsure\(c.rawValue.uppercased())\(macroName(name))", view.count == 0 ? "—" : fmt(100 * view.notConfident, 1))
            }
            twinRows.append(twinRow)
            thresholdRows.append([label(name), fmt(Double(r.thresholds.quietStd), 4), fmt(r.thresholds.jumpyFraction, 3),
                                  fmt(Double(r.thresholds.activeMean), 3), fmt(Double(r.twinThresholds.activeMean), 3)])
            tprRows.append([label(name)] + r.scores.map { fmt($0.tprAt5, 3) })
            var perScore: [String: Any] = [:]
            for (j, score) in scores.enumerated() {
                perScore[score.key] = ["auroc": r.scores[j].auroc, "error": r.scores[j].aurocError, "tpr5": r.scores[j].tprAt5,
                                       "aupr": r.scores[j].aupr, "aupr_error": r.scores[j].auprError,
                                       "fpr95": r.scores[j].fprAt95, "fpr95_error": r.scores[j].fprAt95Error]
            }
            for (v, variable) in DataQualityVariable.allCases.enumerated() where v < r.dataQuality.count {
                perScore[variable.rawValue] = ["auroc": r.dataQuality[v].auroc, "error": r.dataQuality[v].aurocError, "tpr5": r.dataQuality[v].tprAt5,
                                               "aupr": r.dataQuality[v].aupr, "fpr95": r.dataQuality[v].fprAt95]
            }
            for (d, detector) in configuration.detectors.enumerated() where d < r.detectors.count {
                let x = r.detectors[d]
                perScore[detector.rawValue] = ["auroc": x.auroc, "error": x.aurocError, "tpr5": x.tprAt5, "aupr": x.aupr, "aupr_error": x.auprError,
                                               "fpr95": x.fprAt95, "fpr95_error": x.fprAt95Error]
                macros.add("AUROC\(macroName(detector.rawValue))\(macroName(name))", fmt(x.auroc, 3))
            }
            if !r.detectors.isEmpty {
                let bnnSigma = r.scores[0]
                // Two tables, AUROC and then AUPR with FPR95: all three per detector in one were
                // too wide to print at 8 pt.
                detectorRows.append([label(name), "\(fmt(bnnSigma.auroc, 3)) ± \(fmt(bnnSigma.aurocError, 3))"]
                    + r.detectors.map { "\(fmt($0.auroc, 3)) ± \(fmt($0.aurocError, 3))" })
                detectorRateRows.append([label(name)]
                    + r.detectors.flatMap { ["\(fmt($0.aupr, 3)) ± \(fmt($0.auprError, 3))", "\(fmt($0.fprAt95, 3)) ± \(fmt($0.fprAt95Error, 3))"] })
            }
            auprRows.append([label(name)] + r.scores.map { "\(fmt($0.aupr, 3)) ± \(fmt($0.auprError, 3))" })
            fpr95Rows.append([label(name)] + r.scores.map { "\(fmt($0.fprAt95, 3)) ± \(fmt($0.fprAt95Error, 3))" })
            perScore["seeds"] = seedSummary
            if let cal = r.calibration {
                perScore["calibration"] = ["ece_bnn": cal.bnn.ece, "ece_det": cal.det.ece, "ece_ensemble": cal.ensemble?.ece ?? Double.nan]
                    .filter { !$0.value.isNaN }
            }
            summary[name] = perScore
            macros.add("AUROCStd\(macroName(name))", fmt(r.scores[0].auroc, 3))
            macros.add("FPRStd\(macroName(name))", fmt(r.scores[0].fprAt95, 3))
            macros.add("AUPRStd\(macroName(name))", fmt(r.scores[0].aupr, 3))
            macros.add("AUROCBest\(macroName(name))", fmt(r.scores[r.best].auroc, 3))
            macros.add("BestScore\(macroName(name))", texPlain(scores[r.best].label) + (tied.count > 1 ? " (tied with \(tied.count - 1) more)" : ""))
            caseRows.append([label(name)] + AnomalyCase.allCases.map { fmt(r.casesAnomalous[$0] ?? 0, 3) }
                                          + AnomalyCase.allCases.map { fmt(r.casesKnown[$0] ?? 0, 3) })
            stdSummary.append([Double(row)] + r.stdQuantilesAnomalous + r.stdQuantilesKnown)
            try writeDistributions(input, name: name, tag: tag, into: output)
            if let dataset {
                try writeCaseExamples(dataset: dataset, input: input, thresholds: r.thresholds,
                                      nodeLabels: input.outputClasses.map { configuration.registry[$0]?.label ?? $0 },
                                      name: name, tag: tag, into: output)
            }
            costRows.append([label(name), fmt(input.trainingSeconds.bnn, 0), fmt(input.trainingSeconds.det, 0), fmt(input.trainingSeconds.ensemble, 0),
                             fmt(input.predictionSeconds.bnn, 1), fmt(input.predictionSeconds.det, 1), fmt(input.predictionSeconds.ensemble, 1)]
                            + configuration.detectors.flatMap { d in
                                input.detectorSeconds[d].map { [fmt($0.fit, 1), fmt($0.score, 1)] } ?? ["—", "—"]
                            })
        }
        let scoreHeader = ["removed class"] + scores.map(\.label)
        var auroc = ResultTable(caption: "AUROC (± bootstrap s.d.) of each anomaly score, the removed class against the known classes' test events; best network score per row in bold (every score tied at the printed precision)\(withDQ ? "; last column: the best of the \(DataQualityVariable.allCases.count) data-quality cuts, chosen on the anomaly itself (an optimistic baseline, never bold)" : "") (\(tag)).",
                                header: scoreHeader + (withDQ ? ["best DQ cut"] : []), rows: aurocRows)
        auroc.bold = bold
        try auroc.write(to: output, stem: "auroc")
        try ResultTable(caption: "True-positive rate at 5 % false-positive rate (\(tag)).", header: scoreHeader, rows: tprRows)
            .write(to: output, stem: "tpr5")
        // Per detector: in how many rows it beats the BNN σ — the difference of the mean AUROCs
        // over the seeds exceeds twice their combined uncertainty, each the bootstrap error and
        // the seeds' standard error in quadrature (``SeedSpread/uncertainty(bootstrap:)``; with
        // one seed, the bootstrap errors alone). The same rule as "better than chance".
        for (d, detector) in configuration.detectors.enumerated() {
            let beats = results.filter { r in
                guard d < r.detectors.count else { return false }
                let (a, ua) = r.seedSpread(detector.rawValue, main: r.detectors[d]), (b, ub) = r.stdSeedSpread
                return a.mean - b.mean > 2 * (ua * ua + ub * ub).squareRoot()
            }.count
            macros.add("N\(macroName(detector.rawValue))BeatsStd", "\(beats)")
            // The verdict the conclusions print: the detector beats σ for a majority of the rows.
            macros.add("\(macroName(detector.rawValue))Verdict", 2 * beats > results.count ? "does not compete with" : "is not clearly beaten by")
        }
        if !detectorRows.isEmpty {
            try ResultTable(caption: "Dedicated anomaly detectors (on the deterministic twin; the autoencoders on the images), fitted on the known classes only: AUROC (± bootstrap s.d.), beside the BNN σ of the predicted node (\(tag)); their AUPR and FPR at 95 % TPR in detectors_rates.",
                            header: ["removed class", "BNN σ"] + configuration.detectors.map(\.label),
                            rows: detectorRows).write(to: output, stem: "detectors")
            try ResultTable(caption: "Dedicated anomaly detectors, as in the table detectors: area under the precision–recall curve (AUPR) and false-positive rate at 95 % true-positive rate (FPR95; lower is better), ± bootstrap s.d. (\(tag)).",
                            header: ["removed class"] + configuration.detectors.flatMap { ["\($0.label) AUPR", "FPR95"] },
                            rows: detectorRateRows).write(to: output, stem: "detectors_rates")
        }
        // The winner per removed class: the seeded score (BNN, twin or detector; the ensemble has
        // no seeds) of largest mean AUROC, and its margin over the runner-up with their combined
        // uncertainty — decisive if the margin exceeds twice it (the rule of the other verdicts).
        var winnerRows: [[String]] = [], wins: [String: Int] = [:], decisive = 0
        for r in results {
            var candidates: [(label: String, family: String, spread: SeedSpread, u: Double)] = []
            for (j, score) in scores.enumerated() where score.family != .ensemble && r.seedAUROCs[score.key] != nil {
                let (sp, u) = r.seedSpread(score.key, main: r.scores[j])
                candidates.append((score.label, score.family == .bnn ? "BNN" : "twin", sp, u))
            }
            for (d, detector) in configuration.detectors.enumerated() where d < r.detectors.count && r.seedAUROCs[detector.rawValue] != nil {
                let (sp, u) = r.seedSpread(detector.rawValue, main: r.detectors[d])
                candidates.append((detector.label, "detector", sp, u))
            }
            // Stable order: the first of equal means wins (scores before detectors, table order).
            let ranked = candidates.enumerated().sorted { $0.element.spread.mean != $1.element.spread.mean ? $0.element.spread.mean > $1.element.spread.mean : $0.offset < $1.offset }.map(\.element)
            guard let best = ranked.first else { continue }
            let second = ranked.count > 1 ? ranked[1] : best
            let margin = best.spread.mean - second.spread.mean, u = (best.u * best.u + second.u * second.u).squareRoot()
            let isDecisive = ranked.count > 1 && margin > 2 * u
            wins[best.family, default: 0] += 1
            if isDecisive { decisive += 1 }
            let std = r.stdSeedSpread.spread
            winnerRows.append([label(r.removed), best.label, "\(fmt(best.spread.mean, 3)) ± \(fmt(best.spread.spread, 3))", second.label,
                               "\(fmt(margin, 3)) ± \(fmt(u, 3))", isDecisive ? "yes" : "no", "\(fmt(std.mean, 3)) ± \(fmt(std.spread, 3))"])
            macros.add("Winner\(macroName(r.removed))", ResultTable.latexEscape(best.label))
            macros.add("WinnerAUROC\(macroName(r.removed))", fmt(best.spread.mean, 3))
        }
        macros.add([("NWinsBNN", "\(wins["BNN"] ?? 0)"), ("NWinsTwin", "\(wins["twin"] ?? 0)"),
                    ("NWinsDetector", "\(wins["detector"] ?? 0)"), ("NWinsDecisive", "\(decisive)")])
        try ResultTable(caption: "The winner per removed class: the score of largest mean AUROC over the seeds among the BNN's, the twin's and the dedicated detectors' (the ensemble has no seeds), its mean ± spread, the runner-up, the margin ± its uncertainty (bootstrap and seed errors of both in quadrature), whether the margin exceeds twice it, and the BNN σ for reference (\(tag)).",
                        header: ["removed class", "winner", "AUROC", "runner-up", "margin", "decisive", "BNN σ"], rows: winnerRows)
            .write(to: output, stem: "winners")
        let nSeeds = results.map { $0.seedAUROCs[StudyScores.bnnStdPredicted.key]?.count ?? 1 }.min() ?? 1
        macros.add("NSeeds", "\(nSeeds)")
        try ResultTable(caption: "Spread between independently seeded trainings: AUROC mean ± standard deviation over \(nSeeds) seeds of the BNN, of its twin (the twin and ensemble members 1 … \(nSeeds - 1)) and of each detector fitted on each twin (\(tag)).",
                        header: ["removed class"] + seeded.map(\.label), rows: seedRows).write(to: output, stem: "seeds")
        if !calibrationRows.isEmpty {
            let families = ["BNN", "twin", "ensemble"].prefix(calibrationRows[0].count - 1)
            for (j, f) in families.enumerated() { macros.add("ECELoo\(macroName(f))", fmt(eceSums[j] / Double(calibrationRows.count), 3)) }
            try ResultTable(caption: "Expected calibration error (15 bins of the largest mean output) on the known classes' test events of each leave-one-out configuration: the BNN (mean over its weight samples), the twin and the deep ensemble (\(tag)).",
                            header: ["removed class"] + families.map { "ECE \($0)" }, rows: calibrationRows).write(to: output, stem: "calibration")
        }
        try ResultTable(caption: "Area under the precision–recall curve (average precision; a random score gives the anomalies' share of the test set) ± bootstrap s.d. (\(tag)).",
                        header: scoreHeader, rows: auprRows).write(to: output, stem: "aupr")
        try ResultTable(caption: "False-positive rate at 95 % true-positive rate (lower is better) ± bootstrap s.d. (\(tag)).",
                        header: scoreHeader, rows: fpr95Rows).write(to: output, stem: "fpr95")
        if withDQ {
            try ResultTable(caption: "AUROC (± bootstrap s.d.) of one-variable data-quality cuts, each a two-sided tail score fixed on the known classes' test events: |F(x) − ½| with F their distribution function (\(tag)).",
                            header: ["removed class"] + DataQualityVariable.allCases.map(\.label), rows: dqRows)
                .write(to: output, stem: "dq_cuts")
        }
        try ResultTable(caption: "The A/B/C thresholds, fixed on the known classes' test events of each configuration before the anomalies are looked at: A needs σ of the predicted node below its \(fmt(100 * CaseThresholds.knownLowQuantile, 0)) % quantile, C a decision disagreement above its \(fmt(100 * CaseThresholds.knownQuantile, 0)) % quantile among the known events with a predicted mean ≥ 0.7 (and such a mean), B a second-largest mean above its \(fmt(100 * CaseThresholds.knownQuantile, 0)) % quantile; last column: the twin's second-largest softmax quantile (\(tag)).",
                        header: ["removed class", "A: σ below", "C: disagreement ≥", "B: 2nd mean ≥", "twin: 2nd output ≥"], rows: thresholdRows)
            .write(to: output, stem: "case_thresholds")
        try ResultTable(caption: "The deterministic twin on the anomalies of each BNN case: number of events, median of the twin's largest softmax output, and the fraction the twin is not confident about (largest output < 0.7 or a second output above the 90 % quantile of its known events', Table case_thresholds) (\(tag)).",
                        header: ["removed class", "A: N", "A: twin max", "A: twin unsure", "B: N", "B: twin max", "B: twin unsure",
                                 "C: N", "C: twin max", "C: twin unsure"], rows: twinRows)
            .write(to: output, stem: "cases_twin")
        let cases = ResultTable(caption: "Fractions of the A/B/C cases among the anomalous events, and among the known classes' events for reference, with thresholds fixed on the known events (Table case_thresholds). C: more weight samples disagree than for 90 % of the confident known events (predicted node's mean ≥ 0.7) while the predicted node's mean ≥ 0.7; B: a second node more active than for 90 % of the known events; A: no jumps and σ of the predicted node below that of 90 % of the known events (checked in the order C, B, A) (\(tag)).",
                                header: ["removed class", "A", "B", "C", "other", "known A", "known B", "known C", "known other"], rows: caseRows)
        try cases.write(to: output, stem: "cases")
        try ResultTable(caption: "Cost per removed class: training and prediction wall time in seconds on 2 cores; ensemble = \(configuration.ensembleMembers) deterministic members\(configuration.detectors.isEmpty ? "" : "; each dedicated detector's fitting (on top of the twin's training) and scoring time") (\(tag)).",
                        header: ["removed class", "train BNN", "train det.", "train ens.", "predict BNN", "predict det.", "predict ens."]
                            + configuration.detectors.flatMap { ["fit \($0.label)", "score \($0.label)"] }, rows: costRows)
            .write(to: output, stem: "cost")
        let names = results.map(\.removed)
        try writeDataFile("\(output)/std_summary.dat",
                          header: "row σ16_anomaly σ50_anomaly σ84_anomaly σ16_known σ50_known σ84_known — BNN σ of the predicted node (\(tag)); row order: \(names.joined(separator: ","))",
                          rows: stdSummary)
        try writeTextAtomically(names.enumerated().map { "\($0.offset) \"\(configuration.registry[$0.element]?.label ?? $0.element)\"" }.joined(separator: "\n") + "\n",
                                to: "\(output)/class_labels.txt")
        macros.add(textMacros(stdSummary: stdSummary, cases: caseRows, auroc: aurocRows.map { Array($0.prefix(scores.count + 1)) },
                              scores: scores, names: names,
                              stdSeeds: results.map(\.stdSeedSpread.spread)))
        try macros.write(to: "\(output)/numbers.tex")
        try writeJSONSummary(summary, to: "\(output)/summary.json")
    }

    /// The counts, averages and verdicts the Paper's text quotes, over the printed table values
    /// (`cases`, `auroc`: the rows as written, first cell the class) and the σ quantiles. The
    /// rules, fixed before computing them:
    /// - "larger uncertainty for the anomaly": removed classes whose median σ of the predicted
    ///   node exceeds the known classes' median; confirmed if a majority does;
    /// - case A: confirmed if some removed class has a non-zero fraction of A;
    /// - cases B and C: confirmed if, averaged over the removed classes, they are more frequent
    ///   among the anomalies than among the known events by more than twice the standard error of
    ///   that average (the removed classes' differences d = anomalies − known: mean d̄ >
    ///   2·s_d/√n, s_d their 1/(n−1) deviation; `CaseBDiff`, `CaseBDiffErr` in points; never with
    ///   one removed class). Our choice, the σ rule's "twice the error" on the classes' scatter:
    ///   the claim is about anomalies in general, and the classes disagree far more than each
    ///   class's counts do (an earlier rule, a larger average alone, called C confirmed for the
    ///   default profile's 10.7 % against 6.4 % when 5 of the 10 classes showed less of it);
    /// - AUROC of the BNN σ: how many removed classes exceed 0.5 and 0.9, its mean, minimum and
    ///   maximum; how many exceed 0.5 by more than twice their bootstrap error
    ///   (`NStdSignificant`, the rule for "better than chance"; per removed class the verdict in
    ///   words, `StdVerdict<Class>`: "better than chance", "worse than chance" — below 0.5 by
    ///   the same margin — or "not distinguishable from chance"); and per family (BNN,
    ///   deterministic, ensemble) how many rows it has the best score of — a row whose best
    ///   printed value is shared by scores of different families counts as a tie (`NBestTie`).
    ///   With several seeds (`stdSeeds`, one per row), "better than chance" uses the mean over
    ///   the seeds and its uncertainty (``SeedSpread/uncertainty(bootstrap:)``) instead.
    public static func textMacros(stdSummary: [[Double]], cases: [[String]], auroc: [[String]], scores: [AnomalyScore],
                                  names: [String], stdSeeds: [SeedSpread]? = nil) -> [(String, String)] {
        var m: [(String, String)] = []
        func pct(_ x: Double) -> String { String(format: "%.1f", x) }
        let n = stdSummary.count
        // The σ medians as std_summary.dat prints them (%.6g).
        func printed6(_ x: Double) -> Double { Double(String(format: "%.6g", x))! }
        let larger = stdSummary.filter { printed6($0[2]) > printed6($0[5]) }.count
        m += [("NRemoved", "\(n)"), ("NLargerStd", "\(larger)"), ("LargerStdVerdict", 2 * larger > n ? "confirmed" : "not confirmed")]
        let values = cases.map { $0.dropFirst().map { Double($0) ?? 0 } }   // A B C other, known A B C other
        for (name, v) in zip(names, values) {
            let c = macroName(name)
            m += [("CaseA\(c)", pct(100 * v[0])), ("CaseB\(c)", pct(100 * v[1])), ("CaseC\(c)", pct(100 * v[2]))]
        }
        var sums = [Double](repeating: 0, count: 8)
        for v in values { for j in 0 ..< 8 { sums[j] += v[j] } }
        for (j, caseName) in ["A", "B", "C", "Other"].enumerated() {
            m += [("Case\(caseName)Anom", pct(100 * sums[j] / Double(n))), ("Case\(caseName)Known", pct(100 * sums[j + 4] / Double(n)))]
        }
        let aExists = values.filter { $0[0] > 0 }.count
        m += [("NCaseAExists", "\(aExists)"), ("NCaseBMore", "\(values.filter { $0[1] > $0[5] }.count)"),
              ("NCaseCMore", "\(values.filter { $0[2] > $0[6] }.count)"),
              ("CaseAVerdict", aExists > 0 ? "confirmed" : "not confirmed")]
        for (j, caseName) in [(1, "B"), (2, "C")] {
            // The removed classes' differences, anomalies − known: their mean and its standard
            // error s_d/√n (the seeds' rule of ``SeedSpread``, with no bootstrap term).
            let d = SeedSpread(values.map { $0[j] - $0[j + 4] })
            let error = d.uncertainty(bootstrap: 0)
            m += [("Case\(caseName)Diff", pct(100 * d.mean)), ("Case\(caseName)DiffErr", n > 1 ? pct(100 * error) : "--"),
                  ("Case\(caseName)Verdict", n > 1 && d.mean > 2 * error ? "confirmed" : "not confirmed")]
        }
        // AUROC cells are "0.823 ± 0.012": the printed value before the ±, the error after it.
        let printed = auroc.map { row in row.dropFirst().map { Double($0.split(separator: " ").first ?? "") ?? 0 } }
        let errors = auroc.map { row in row.dropFirst().map { Double($0.split(separator: " ").last ?? "") ?? .nan } }
        let std = printed.map { $0[0] }
        var bestCount: [AnomalyScore.Family: Int] = [:], ties = 0
        for row in printed {
            let best = row.max() ?? 0
            guard best > 0 else { continue }
            let families = Set(row.indices.filter { row[$0] == best }.map { scores[$0].family })
            if families.count == 1 { bestCount[families.first!, default: 0] += 1 } else { ties += 1 }
        }
        // "Better than chance" only beyond twice the bootstrap error (the rule, fixed first); with
        // seeds, beyond twice the uncertainty of their mean. Per removed class the verdict in words.
        let judged: [(value: Double, uncertainty: Double)]
        if let stdSeeds, stdSeeds.count == std.count {
            judged = zip(stdSeeds, errors.map { $0[0] }).map { ($0.0.mean, $0.0.uncertainty(bootstrap: $0.1)) }
        } else {
            judged = zip(std, errors.map { $0[0] }).map { ($0.0, $0.1) }
        }
        let significant = judged.filter { $0.value - 2 * $0.uncertainty > 0.5 }.count
        for (name, j) in zip(names, judged) {
            let verdict = j.value - 2 * j.uncertainty > 0.5 ? "better than chance"
                : j.value + 2 * j.uncertainty < 0.5 ? "worse than chance" : "not distinguishable from chance"
            m.append(("StdVerdict\(macroName(name))", verdict))
        }
        m += [("NBestTie", "\(ties)"), ("NStdSignificant", "\(significant)")]
        m += [("NStdAboveChance", "\(std.filter { $0 > 0.5 }.count)"), ("NStdAboveNinety", "\(std.filter { $0 >= 0.9 }.count)"),
              ("MeanAUROCStd", fmt(std.reduce(0, +) / Double(std.count), 3)),
              ("MinAUROCStd", fmt(std.min() ?? .nan, 3)), ("MaxAUROCStd", fmt(std.max() ?? .nan, 3)),
              ("NBestBNN", "\(bestCount[.bnn] ?? 0)"), ("NBestDet", "\(bestCount[.deterministic] ?? 0)"), ("NBestEns", "\(bestCount[.ensemble] ?? 0)")]
        return m
    }

    /// Per removed class: distributions of σ(pred) and of the max mean, anomaly vs known
    /// (`loo_<class>.dat`, 40 bins; the σ axis is stretched ×2 to share the bins).
    static func writeDistributions(_ input: ClassInputs, name: String, tag: String, into output: String) throws {
        let bnn = input.bnn, k = bnn.classes
        var hs = (0 ..< 4).map { _ in Histogram(bins: 40, lower: 0, upper: 1) }
        for n in 0 ..< bnn.count {
            let known = bnn.label[n] < Int32(k)
            hs[known ? 1 : 0].fill(2 * Double(bnn.std[n * k + bnn.predicted(n)]))
            hs[known ? 3 : 2].fill(Double(bnn.means(n).max()!))
        }
        let centres = hs[0].centres
        try writeDataFile("\(output)/loo_\(name).dat",
                          header: "bin_centre(σ·2 | max mean) σ_anomaly σ_known maxmean_anomaly maxmean_known (densities; σ axis = centre/2) — \(tag)",
                          rows: (0 ..< 40).map { i in [centres[i]] + hs.map { $0.density[i] } })
    }

    /// The first anomalous event of each case A, B, C, other (in test-event order), in two files
    /// of four gnuplot blocks each (index 0–3 = case A, B, C, other):
    /// - `examples_<class>.dat`: its middle-layer image, rows "x y E/MeV" (one row "0 0 0" when
    ///   no anomalous event has the case);
    /// - `examples_outputs_<class>.dat`: the Monte-Carlo outputs that define its case, one row per
    ///   output node k (the K known classes, `nodeLabels`): "k mean σ votes", the predictive mean
    ///   and σ of node k over the T weight samples and the fraction of the T samples whose argmax
    ///   is k (K rows "k 0 0 0" when no event has the case). Comment lines above the rows give
    ///   the case's thresholds (`# thresholds …`, fixed on the known events), per case the
    ///   event's quantities they are compared with (`# case A event n sigma_pred … disagreement
    ///   … second_mean … mean_pred …`, or `# case B none`) and the node labels (`# node k label`).
    /// Every number has a fixed format (the files are compared byte for byte between machines).
    static func writeCaseExamples(dataset: CaloDataset, input: ClassInputs, thresholds: CaseThresholds, nodeLabels: [String],
                                  name: String, tag: String, into output: String) throws {
        let g = dataset.geometry, layer = g.layers[1], off = g.layerOffsets[1]
        let k = input.bnn.classes, t = input.bnn.samples
        let indices = (0 ..< input.bnn.count).filter { input.bnn.label[$0] == k }
        let anomalies = input.bnn.filter { $0 == Int32(k) }
        var out = "# middle-layer images of one anomalous event per case A,B,C,other (gnuplot index 0..3): x y E_MeV — \(tag)\n"
        var outputs = "# BNN outputs of the events of examples_\(name).dat, one anomalous event per case A,B,C,other (gnuplot index 0..3): node mean sigma vote_fraction (T = \(t) weight samples) — \(tag)\n"
        outputs += "# thresholds quiet_std \(String(format: "%.4e", Double(thresholds.quietStd))) jumpy \(String(format: "%.4f", thresholds.jumpyFraction))"
            + " active \(String(format: "%.4f", Double(thresholds.activeMean))) confident \(String(format: "%.4f", Double(thresholds.confidentMean)))\n"
        for j in 0 ..< k { outputs += "# node \(j) \(j < nodeLabels.count ? nodeLabels[j] : "node \(j)")\n" }
        for c in AnomalyCase.allCases {
            out += "# case \(c.rawValue)\n"
            if let j = (0 ..< anomalies.count).first(where: { anomalyCase(anomalies, $0, thresholds: thresholds) == c }) {
                let n = indices[j]
                for ix in 0 ..< layer.cellsX {
                    for iy in 0 ..< layer.cellsY {
                        out += "\(ix) \(iy) \(dataset.batch.cells[n * g.totalCells + off + ix * layer.cellsY + iy])\n"
                    }
                    out += "\n"
                }
                let means = anomalies.means(j).map(Double.init), stds = anomalies.stds(j).map(Double.init)
                var votes = [Int](repeating: 0, count: k)
                for d in anomalies.decisions(j) where Int(d) < k { votes[Int(d)] += 1 }
                let p = anomalies.predicted(j), second = means.count > 1 ? means.sorted(by: >)[1] : 0
                outputs += "# case \(c.rawValue) event \(n) predicted \(p) sigma_pred \(String(format: "%.4e", stds[p]))"
                    + " disagreement \(String(format: "%.4f", anomalies.disagreement(j))) second_mean \(String(format: "%.4f", second))"
                    + " mean_pred \(String(format: "%.4f", means[p]))\n"
                for i in 0 ..< k {
                    outputs += "\(i) \(String(format: "%.6f", means[i])) \(String(format: "%.6e", stds[i])) \(String(format: "%.6f", Double(votes[i]) / Double(max(t, 1))))\n"
                }
            } else {
                out += "0 0 0\n"
                outputs += "# case \(c.rawValue) none\n"
                for i in 0 ..< k { outputs += "\(i) 0 0 0\n" }
            }
            out += "\n\n"
            outputs += "\n\n"
        }
        try writeTextAtomically(out, to: "\(output)/examples_\(name).dat")
        try writeTextAtomically(outputs, to: "\(output)/examples_outputs_\(name).dat")
    }
}

/// The scores whose training spread the `seeds` table shows (key, label): the BNN's σ, entropy
/// and mutual information, the twin's 1 − max softmax, and every detector. (`summary.json` holds
/// every seeded score.)
func seededColumns(_ configuration: LeaveOneOut.Configuration) -> [(key: String, label: String)] {
    let shown = [StudyScores.bnnStdPredicted, StudyScores.bnnEntropy, StudyScores.bnnMutualInformation, StudyScores.detMaxSoftmax]
    return shown.filter { s in configuration.scores.contains { $0.key == s.key } }.map { ($0.key, $0.label) }
        + configuration.detectors.map { ($0.rawValue, $0.label) }
}

/// The columns whose AUROC, printed to three decimals, equals the best printed one.
func tiedBest(_ results: [ScoreResult]) -> [Int] {
    let printed = results.map { fmt($0.auroc, 3) }
    let best = results.indices.max { results[$0].auroc < results[$1].auroc }!
    return printed.indices.filter { printed[$0] == printed[best] }
}
