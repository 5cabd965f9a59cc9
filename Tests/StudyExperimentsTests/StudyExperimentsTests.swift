// The experiments library end to end on tiny files made here — simulate, train (a §4 network and
// a §5 leave-one-out pair), predict, evaluate — and its rules on hand-made tables. The
// quick-profile goldens (make check-goldens) pin the numbers at the study's sizes; these tests
// pin the contracts: which seed a run uses, that outputs are complete and consistent with
// independent recomputation, that the text's counts follow their stated rules, and that bad
// combinations of inputs are refused.
import AnomalyDetection
import BayesianNetworks
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyExperiments
import StudyReport
import Testing

/// A temporary folder with three small datasets (photon, π⁰ → γγ, η → γγ), removed at the end.
final class Workspace {
    let root: String
    init() throws {
        root = NSTemporaryDirectory() + "studyexperiments-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let registry = EventRegistry.withExtras
        let labels = ["photon", "pi0_gg", "eta_gg"].map { registry.index(of: $0)! }
        for (split, seed, n) in [("train", UInt64(11), 60), ("val", 12, 20), ("test", 13, 30)] {
            let batch = EventGenerator(simulator: EventSimulator(registry: registry), seed: seed, threads: 2)
                .generate(labels: labels, perClass: n)
            let provenance = DatasetProvenance(classNames: registry.classes.map(\.name), seed: seed, mode: "total",
                                               noise: false, gunDistanceMM: 1000, gunEnergyGeV: 20)
            try CaloDataset(batch: batch, provenance: provenance).write(to: path("\(split).h5"))
        }
    }
    func path(_ name: String) -> String { root + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A quiet training of `model` on this workspace's train.h5 (validation: val.h5), master seed
    /// 2000, minibatch 32, 2 epochs (the other settings NetworkTraining's defaults).
    func training(_ model: ModelKind = .bnn, removed: String? = nil) -> NetworkTraining {
        var t = NetworkTraining(data: NamedFile("train", path("train.h5")), validation: NamedFile("val", path("val.h5")),
                                model: model, excludedClass: removed, seed: 2000)
        t.epochs = 2; t.batch = 32; t.verbose = false
        return t
    }

    /// Train `model` (optionally without `removed`, as ensemble `member`) and predict the test set.
    func trainAndPredict(_ model: ModelKind, removed: String?, member: Int = 0, name: String, samples: Int) throws {
        var t = training(model, removed: removed)
        t.member = member
        try t.run(output: path("model_\(name).h5"), resume: .never)
        _ = try NetworkPrediction(model: NamedFile("model", path("model_\(name).h5")), data: NamedFile("test", path("test.h5")),
                                  samples: samples, seed: 2022).run(output: path("pred/\(name).h5"))
    }
}

/// The `\newcommand{\Name}{value}` pairs of a macro file.
func macros(_ path: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where line.hasPrefix("\\newcommand{\\") {
        let body = line.dropFirst("\\newcommand{\\".count)
        guard let close = body.firstIndex(of: "}") else { continue }
        out[String(body[..<close])] = String(body[body.index(close, offsetBy: 2)...].dropLast())
    }
    return out
}

/// The A/B/C example files of `cls` in `dir` against a recomputation from its BNN predictions `p`
/// (anomalies labelled K): per case A, B, C, other one block of K rows "k mean σ votes" — the first
/// anomalous event of that case, means summing to ≈ 1 and vote fractions to 1 — or K zero rows
/// when no anomalous event has the case (and then a one-row image block too); the node labels are
/// the registry's labels of the file's output classes.
func checkCaseExampleOutputs(_ dir: String, class cls: String, predictions file: PredictionFile) throws {
    let p = file.set
    let k = p.classes
    func blocks(_ path: String) throws -> [[[Double]]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.components(separatedBy: "\n\n\n").map { block in
            block.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").compactMap { Double($0) } }
        }.filter { !$0.isEmpty }
    }
    let outputs = try blocks("\(dir)/examples_outputs_\(cls).dat"), images = try blocks("\(dir)/examples_\(cls).dat")
    #expect(outputs.count == AnomalyCase.allCases.count && images.count == AnomalyCase.allCases.count)
    let text = try String(contentsOfFile: "\(dir)/examples_outputs_\(cls).dat", encoding: .utf8)
    #expect(file.outputClasses.count == k)
    for (j, c) in file.outputClasses.enumerated() { #expect(text.contains("\n# node \(j) \(EventRegistry.withExtras[c]?.label ?? "?")\n")) }
    let knownIdx = (0 ..< p.count).filter { p.label[$0] < Int32(k) }, anomalyIdx = (0 ..< p.count).filter { p.label[$0] == Int32(k) }
    let thresholds = CaseThresholds.fromKnown(p, known: knownIdx)
    // The cases split the anomalies: at least one case has an event (its rows are checked).
    #expect(!anomalyIdx.isEmpty)
    for (c, kind) in AnomalyCase.allCases.enumerated() where c < outputs.count {
        let rows = outputs[c]
        #expect(rows.count == k && rows.allSatisfy { $0.count == 4 })
        #expect(rows.enumerated().allSatisfy { Int($0.element[0]) == $0.offset })
        let first = anomalyIdx.first { anomalyCase(p, $0, thresholds: thresholds) == kind }
        guard let n = first else {
            #expect(rows.allSatisfy { $0.dropFirst().allSatisfy { $0 == 0 } } && images[c].count == 1)
            #expect(text.contains("# case \(kind.rawValue) none\n"))
            continue
        }
        #expect(images[c].count > 1 && text.contains("# case \(kind.rawValue) event \(n) predicted \(p.predicted(n)) "))
        #expect(abs(rows.reduce(0) { $0 + $1[1] } - 1) < 1e-4)
        #expect(abs(rows.reduce(0) { $0 + $1[3] } - 1) < 1e-5)
        for j in 0 ..< k {
            #expect(abs(rows[j][1] - Double(p.mean[n * k + j])) < 1e-6 && abs(rows[j][2] - Double(p.std[n * k + j])) <= 1e-6 * max(rows[j][2], 1e-30))
            let votes = p.decisions(n).filter { Int($0) == j }.count
            #expect(abs(rows[j][3] - Double(votes) / Double(p.samples)) < 1e-6)
        }
    }
}

@Suite("StudyExperiments", .serialized)
struct StudyExperimentsTests {
    @Test("seeds: §4 networks use the master seed; removed classes and members each derive their own")
    func seeds() {
        #expect(StudySeeds.training(master: 1001, removed: nil, member: 0) == 1001)
        let derived = [StudySeeds.training(master: 2000, removed: 0, member: 0), StudySeeds.training(master: 2000, removed: 1, member: 0),
                       StudySeeds.training(master: 2000, removed: 0, member: 1), StudySeeds.training(master: 2000, removed: nil, member: 1),
                       StudySeeds.training(master: 2001, removed: 0, member: 0)]
        #expect(Set(derived).count == derived.count && !derived.contains(2000))
        #expect(StudySeeds.bootstrap(master: 20221124, removed: 8, score: 0) != StudySeeds.bootstrap(master: 20221124, removed: 8, score: 1))
        let ae = [StudySeeds.autoencoder(master: 3000, removed: 0), StudySeeds.autoencoder(master: 3000, removed: 1),
                  StudySeeds.autoencoder(master: 3000, removed: nil), StudySeeds.autoencoder(master: 3001, removed: 0)]
        #expect(Set(ae).count == ae.count && !ae.contains(3000) && !ae.contains(StudySeeds.training(master: 3000, removed: 0, member: 0)))
    }

    /// A checkpoint records its learning-rate schedule; `--resume` with another schedule, another
    /// ρ factor, or (on a cosine, whose length is the run's) other epochs is refused in one line
    /// naming the setting, and the checkpoint is left as it was.
    @Test("resume with a changed learning-rate schedule → one-line error naming it")
    func resumeChangedSchedule() throws {
        let w = try Workspace()
        var t = w.training()
        t.schedule = LearningRateSchedule(.cosine, warmupEpochs: 1); t.rhoLearningRateFactor = 4
        try t.run(output: w.path("cos.h5"), resume: .never)
        let saved = try Checkpoint.load(from: w.path("cos.h5"))
        #expect(saved.options.schedule == t.schedule && saved.options.rhoLearningRateFactor == 4)
        // The finished model holds the whole state: as a checkpoint it can be "resumed".
        try FileManager.default.copyItem(atPath: w.path("cos.h5"), toPath: w.path("r.h5.ckpt"))
        let before = try Data(contentsOf: URL(fileURLWithPath: w.path("r.h5.ckpt")))
        var changes: [(String, (inout NetworkTraining) -> Void)] = []
        changes.append(("--lr-schedule cosine → constant", { $0.schedule = LearningRateSchedule(.constant, warmupEpochs: 1) }))
        changes.append(("--warmup-epochs 1 → 0", { $0.schedule = LearningRateSchedule(.cosine) }))
        changes.append(("--rho-lr-factor 4.0 → 1.0", { $0.rhoLearningRateFactor = 1 }))
        changes.append(("--epochs (the length of the cosine schedule) 2 → 3", { $0.epochs = 3 }))
        for (words, change) in changes {
            var u = t
            change(&u)
            do {
                try u.run(output: w.path("r.h5"), resume: .required)
                Issue.record("resume with \(words) was accepted")
            } catch let e as InputError {
                #expect(e.description.contains(words) && !e.description.contains("\n"), "\(e)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: w.path("r.h5.ckpt"))) == before)
            #expect(!FileManager.default.fileExists(atPath: w.path("r.h5")))
        }
    }

    /// `make reproduce`'s policy: a checkpoint left by an interrupted run of the same command is
    /// continued, to the same bits as an uninterrupted run; one made with other settings is
    /// replaced by a fresh run, again to the same bits as a run that never saw it.
    @Test("resume if present: continues a compatible checkpoint, starts afresh past an incompatible one, same bits as straight runs")
    func resumeIfPresent() throws {
        let w = try Workspace()
        var t = w.training()
        t.patience = 10
        func same(_ a: String, _ b: String) throws -> Bool {
            let (x, y) = (try Checkpoint.load(from: w.path(a)), try Checkpoint.load(from: w.path(b)))
            return x.mu == y.mu && x.rho == y.rho && x.bestMu == y.bestMu && x.adamMu == y.adamMu && x.history == y.history
        }
        var straight = t; straight.epochs = 3
        try straight.run(output: w.path("straight.h5"), resume: .never)
        // An interruption after epoch 1 of the 3: the checkpoint is the state after that epoch,
        // which a finished 1-epoch run of the constant schedule holds too. Its first epoch's
        // training loss is marked, so that the result shows whether the checkpoint was continued.
        var first = t; first.epochs = 1
        try first.run(output: w.path("one.h5"), resume: .never)
        var interrupted = try Checkpoint.load(from: w.path("one.h5"))
        interrupted.history.trainLoss[0] = 42
        let keys = ["training_data_identity", "validation_data_identity", "training_data_file", "validation_data_file"]
        try Checkpoint.save(interrupted, to: w.path("continued.h5.ckpt"), provenance: try Checkpoint.provenance(of: w.path("one.h5"), keys))
        try straight.run(output: w.path("continued.h5"), resume: .ifPresent)
        let continued = try Checkpoint.load(from: w.path("continued.h5"))
        #expect(continued.history.trainLoss.count == 3 && continued.history.trainLoss[0] == 42)
        var unmarked = continued; unmarked.history.trainLoss[0] = try Checkpoint.load(from: w.path("straight.h5")).history.trainLoss[0]
        try Checkpoint.save(unmarked, to: w.path("unmarked.h5"), provenance: [:])
        #expect(try same("unmarked.h5", "straight.h5"))
        #expect(!FileManager.default.fileExists(atPath: w.path("continued.h5.ckpt")))
        // A checkpoint of another seed (another command) is not continued: a fresh run replaces it.
        var other = first; other.seed = 2001
        try other.run(output: w.path("other.h5"), resume: .never)
        try FileManager.default.copyItem(atPath: w.path("other.h5"), toPath: w.path("fresh.h5.ckpt"))
        try straight.run(output: w.path("fresh.h5"), resume: .ifPresent)
        #expect(try same("fresh.h5", "straight.h5"))
        // No checkpoint at all: an ordinary run.
        try straight.run(output: w.path("plain.h5"), resume: .ifPresent)
        #expect(try same("plain.h5", "straight.h5"))
    }

    @Test("§4 and §5 from files: outputs complete, recorded seeds are the derived ones, numbers agree with a recomputation")
    func endToEnd() throws {
        let w = try Workspace()
        try FileManager.default.createDirectory(atPath: w.path("pred"), withIntermediateDirectories: true)
        try w.trainAndPredict(.bnn, removed: nil, name: "all_bnn", samples: 10)
        try w.trainAndPredict(.deterministic, removed: nil, name: "all_det", samples: 1)
        for kind in [ModelKind.bnn, .deterministic] {
            try w.trainAndPredict(kind, removed: "photon", name: "loo_photon_\(kind == .bnn ? "bnn" : "det")", samples: kind == .bnn ? 10 : 1)
        }
        try w.trainAndPredict(.deterministic, removed: "photon", member: 1, name: "loo_photon_ens1", samples: 1)

        // The seed each model was trained with: the master seed for §4, the derived one for §5.
        let photon = EventRegistry.withExtras.index(of: "photon")!
        #expect(try Checkpoint.load(from: w.path("model_all_bnn.h5")).options.seed == 2000)
        #expect(try Checkpoint.load(from: w.path("model_loo_photon_bnn.h5")).options.seed == StudySeeds.training(master: 2000, removed: photon, member: 0))
        #expect(try Checkpoint.load(from: w.path("model_loo_photon_ens1.h5")).options.seed == StudySeeds.training(master: 2000, removed: photon, member: 1))

        // §4: the accuracy macro is the confusion matrix of the prediction file, recomputed here.
        let line = try Identification.run(bnn: NamedFile("bnn", w.path("pred/all_bnn.h5")), det: NamedFile("det", w.path("pred/all_det.h5")),
                                          bnnModel: w.path("model_all_bnn.h5"), detModel: w.path("model_all_det.h5"),
                                          profile: "test", registry: .withExtras, to: w.path("classification"))
        #expect(line.hasPrefix("classification: accuracy BNN"))
        let cm = ConfusionMatrix(try PredictionFile.read(w.path("pred/all_bnn.h5")).set)
        let m4 = try macros(w.path("classification/numbers.tex"))
        #expect(m4["AccBNN"] == String(format: "%.1f", 100 * cm.accuracy))
        #expect(m4["TestEvents"] == "90" && m4["MCSamples"] == "10")
        for stem in ["accuracy", "photon_auc", "confusion_bnn", "cost"] {
            for ext in ["tex", "md", "csv"] { #expect(FileManager.default.fileExists(atPath: w.path("classification/\(stem).\(ext)"))) }
        }

        // §5 with the photon removed: the BNN-σ AUROC is the AnomalyDetection evaluation of the
        // file's predictions with the derived bootstrap stream.
        let configuration = LeaveOneOut.Configuration(removedClasses: ["photon"], ensembleMembers: 1, bootstrapReplicates: 20,
                                                      bootstrapSeed: 7, registry: .withExtras, profile: "test")
        _ = try LeaveOneOut.run(configuration, predictions: w.path("pred"), models: w.root, data: NamedFile("test", w.path("test.h5")),
                                to: w.path("anomaly"), quiet: true)
        let p = try PredictionFile.read(w.path("pred/loo_photon_bnn.h5")).set
        let values = (0 ..< p.count).map { StudyScores.bnnStdPredicted.evaluate(p, $0) }
        let expected = AnomalyDetection.evaluate(anomalous: values.indices.filter { p.label[$0] == p.classes }.map { values[$0] },
                                                 known: values.indices.filter { p.label[$0] < p.classes }.map { values[$0] },
                                                 replicates: 20, seed: StudySeeds.bootstrap(master: 7, removed: photon, score: 0))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w.path("anomaly/summary.json")))) as! [String: Any]
        let bnnStd = (summary["photon"] as! [String: Any])["bnn_std_pred"] as! [String: Double]
        // (Foundation's JSON reader on Linux is not exact in the last bits: compare to 1e-12.)
        func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) <= 1e-12 } ?? false }
        #expect(close(bnnStd["auroc"], expected.auroc) && close(bnnStd["error"], expected.aurocError))
        let m5 = try macros(w.path("anomaly/numbers.tex"))
        #expect(m5["NRemoved"] == "1" && m5["AUROCStdPhoton"] == String(format: "%.3f", expected.auroc))
        try checkCaseExampleOutputs(w.path("anomaly"), class: "photon", predictions: PredictionFile.read(w.path("pred/loo_photon_bnn.h5")))

        // Another bootstrap seed moves only the errors, never the AUROC.
        var other = configuration; other.bootstrapSeed = 8
        _ = try LeaveOneOut.run(other, predictions: w.path("pred"), models: nil, data: nil, to: w.path("anomaly8"), quiet: true)
        let summary8 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w.path("anomaly8/summary.json")))) as! [String: Any]
        let bnnStd8 = (summary8["photon"] as! [String: Any])["bnn_std_pred"] as! [String: Double]
        #expect(close(bnnStd8["auroc"], expected.auroc) && !close(bnnStd8["error"], expected.aurocError))

        // Two seeds: the BNN again as member 1 (loo_photon_bnn_s1), the twin of seed 1 = ensemble
        // member 1. Each seed's AUROC is that file's own; the second seed file is required.
        try w.trainAndPredict(.bnn, removed: "photon", member: 1, name: "loo_photon_bnn_s1", samples: 10)
        var seeded = configuration; seeded.seeds = 2
        _ = try LeaveOneOut.run(seeded, predictions: w.path("pred"), models: nil, data: nil, to: w.path("anomalyS"), quiet: true)
        let summaryS = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w.path("anomalyS/summary.json")))) as! [String: Any]
        let seedsS = (summaryS["photon"] as! [String: Any])["seeds"] as! [String: Any]
        let bnnSeeds = (seedsS["bnn_std_pred"] as! [String: Any])["aurocs"] as! [Double]
        let detSeeds = (seedsS["det_1_minus_max"] as! [String: Any])["aurocs"] as! [Double]
        func aurocOf(_ file: String, _ score: AnomalyScore) throws -> Double {
            let s = try PredictionFile.read(w.path("pred/\(file).h5")).set
            let v = (0 ..< s.count).map { score.evaluate(s, $0) }
            return ROC.auc(positive: v.indices.filter { s.label[$0] == s.classes }.map { v[$0] }, negative: v.indices.filter { s.label[$0] < s.classes }.map { v[$0] })
        }
        let bnnS1 = try aurocOf("loo_photon_bnn_s1", StudyScores.bnnStdPredicted), ens1 = try aurocOf("loo_photon_ens1", StudyScores.detMaxSoftmax)
        #expect(bnnSeeds.count == 2 && close(bnnSeeds[0], expected.auroc) && close(bnnSeeds[1], bnnS1))
        #expect(detSeeds.count == 2 && close(detSeeds[1], ens1))
        let mS = try macros(w.path("anomalyS/numbers.tex"))
        #expect(mS["NSeeds"] == "2" && mS["AUROCStdMeanPhoton"] == String(format: "%.3f", (bnnSeeds[0] + bnnSeeds[1]) / 2))
        // One winner per removed class, of the largest mean AUROC over the seeded scores.
        let wins = ["NWinsBNN", "NWinsTwin", "NWinsDetector"].compactMap { mS[$0].flatMap(Int.init) }
        #expect(wins.count == 3 && wins.reduce(0, +) == 1 && FileManager.default.fileExists(atPath: w.path("anomalyS/winners.md")))
        let means = seedsS.compactMap { ($0.value as? [String: Any])?["mean"] as? Double }
        #expect(mS["WinnerAUROCPhoton"] == String(format: "%.3f", means.max() ?? .nan))
        for ext in ["tex", "md", "csv"] {
            #expect(FileManager.default.fileExists(atPath: w.path("anomalyS/seeds.\(ext)")) && FileManager.default.fileExists(atPath: w.path("anomalyS/calibration.\(ext)")))
        }
        var three = configuration; three.seeds = 3
        #expect(throws: InputError.self) { try LeaveOneOut.run(three, predictions: w.path("pred"), models: nil, data: nil, to: w.path("bad"), quiet: true) }
        // §4 with a second seed of each network: the accuracy's mean over the two seeds.
        try w.trainAndPredict(.bnn, removed: nil, member: 1, name: "all_bnn_s1", samples: 10)
        try w.trainAndPredict(.deterministic, removed: nil, member: 1, name: "all_det_s1", samples: 1)
        _ = try Identification.run(bnn: NamedFile("bnn", w.path("pred/all_bnn.h5")), det: NamedFile("det", w.path("pred/all_det.h5")),
                                   bnnModel: nil, detModel: nil, bnnSeeds: [NamedFile("s", w.path("pred/all_bnn_s1.h5"))],
                                   detSeeds: [NamedFile("s", w.path("pred/all_det_s1.h5"))], profile: "test", registry: .withExtras,
                                   to: w.path("classificationS"))
        let cm1 = ConfusionMatrix(try PredictionFile.read(w.path("pred/all_bnn_s1.h5")).set)
        let m4S = try macros(w.path("classificationS/numbers.tex"))
        #expect(m4S["NSeedsID"] == "2" && m4S["AccBNNMean"] == String(format: "%.1f", 100 * (cm.accuracy + cm1.accuracy) / 2))
        // A deterministic file given as a BNN seed is refused.
        #expect(throws: InputError.self) {
            try Identification.run(bnn: NamedFile("bnn", w.path("pred/all_bnn.h5")), det: NamedFile("det", w.path("pred/all_det.h5")),
                                   bnnModel: nil, detModel: nil, bnnSeeds: [NamedFile("s", w.path("pred/all_det_s1.h5"))],
                                   profile: "test", registry: .withExtras, to: w.path("bad"))
        }

        // Refused: a removed class whose models were trained with it; a missing ensemble member.
        var wrong = configuration; wrong.removedClasses = ["pi0_gg"]
        #expect(throws: InputError.self) { try LeaveOneOut.run(wrong, predictions: w.path("pred"), models: nil, data: nil, to: w.path("bad"), quiet: true) }
        var more = configuration; more.ensembleMembers = 2
        #expect(throws: InputError.self) { try LeaveOneOut.run(more, predictions: w.path("pred"), models: nil, data: nil, to: w.path("bad"), quiet: true) }
        #expect(!FileManager.default.fileExists(atPath: w.path("bad")), "a failed evaluation leaves no output directory")
    }

    /// The text's counts over hand-made table rows, each rule as the doc comment of
    /// `LeaveOneOut.textMacros` states it — including ties (the first column wins) and rows
    /// whose values all print as 0.
    @Test("the Paper's counts and verdicts follow their stated rules")
    func textRules() throws {
        let w = try Workspace()
        // Three removed classes; scores: the study's (BNN ×6, det ×2, ensemble ×2).
        let scores = StudyScores.all
        func row(_ name: String, _ aurocs: [Double]) -> [String] { [name] + aurocs.map { String(format: "%.3f ± 0.010", $0) } }
        let auroc = [row("a", [0.9, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.99, 0.5]),   // best: ensemble
                     row("b", [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]),      // a tie across families
                     row("c", [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, 0.1, 0.1, 0.1])]      // best: det
        let cases = [["a", "0.100", "0.500", "0.100", "0.300", "0.000", "0.400", "0.050", "0.550"],
                     ["b", "0.000", "0.200", "0.000", "0.800", "0.000", "0.600", "0.100", "0.300"],
                     ["c", "0.000", "0.300", "0.200", "0.500", "0.000", "0.300", "0.000", "0.700"]]
        let std: [[Double]] = [[0, 0.1, 0.2, 0.3, 0.1, 0.15, 0.3], [1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3], [2, 0.1, 0.3, 0.4, 0.1, 0.2, 0.3]]
        var file = MacroFile(header: "test")
        file.add(LeaveOneOut.textMacros(stdSummary: std, cases: cases, auroc: auroc, scores: scores, names: ["a", "b", "c"]))
        try file.write(to: w.path("m.tex"))
        let m = try macros(w.path("m.tex"))
        #expect(m["NRemoved"] == "3" && m["NLargerStd"] == "2" && m["LargerStdVerdict"] == "confirmed")   // 0.2 > 0.15, 0.1 < 0.2, 0.3 > 0.2
        #expect(m["NBestBNN"] == "0" && m["NBestDet"] == "1" && m["NBestEns"] == "1" && m["NBestTie"] == "1")
        #expect(m["NStdSignificant"] == "2")   // 0.9 and 0.7 exceed 0.5 + 2 × 0.010; 0.2 does not
        #expect(m["NStdAboveChance"] == "2" && m["NStdAboveNinety"] == "1" && m["MeanAUROCStd"] == "0.600")
        #expect(m["MinAUROCStd"] == "0.200" && m["MaxAUROCStd"] == "0.900")
        #expect(m["CaseAA"] == "10.0" && m["CaseCC"] == "20.0" && m["NCaseAExists"] == "1" && m["CaseAVerdict"] == "confirmed")
        // B: anomalies 1.0/3 vs known 1.3/3, differences +0.1, −0.4, 0 → −10.0 ± 15.3 points, not
        // confirmed (more only in row a); C: 0.3/3 vs 0.15/3, differences +0.05, −0.1, +0.2 → 5.0 ±
        // 8.7: more frequent on average (rows a and c), but not by twice the error → not confirmed.
        #expect(m["CaseBVerdict"] == "not confirmed" && m["CaseCVerdict"] == "not confirmed" && m["NCaseBMore"] == "1" && m["NCaseCMore"] == "2")
        #expect(m["CaseBAnom"] == "33.3" && m["CaseBKnown"] == "43.3")
        #expect(m["CaseBDiff"] == "-10.0" && m["CaseBDiffErr"] == "15.3" && m["CaseCDiff"] == "5.0" && m["CaseCDiffErr"] == "8.7")
        // C more frequent among the anomalies in every class, by 0.10, 0.12, 0.08: 10.0 ± 1.2 → confirmed.
        let steady = [["a", "0.000", "0.500", "0.150", "0.350", "0.000", "0.400", "0.050", "0.550"],
                      ["b", "0.000", "0.200", "0.220", "0.580", "0.000", "0.600", "0.100", "0.300"],
                      ["c", "0.000", "0.300", "0.080", "0.620", "0.000", "0.300", "0.000", "0.700"]]
        var steadyFile = MacroFile(header: "test")
        steadyFile.add(LeaveOneOut.textMacros(stdSummary: std, cases: steady, auroc: auroc, scores: scores, names: ["a", "b", "c"]))
        try steadyFile.write(to: w.path("steady.tex"))
        let ms = try macros(w.path("steady.tex"))
        #expect(ms["CaseCVerdict"] == "confirmed" && ms["CaseCDiff"] == "10.0" && ms["CaseCDiffErr"] == "1.2")
        // One removed class: no scatter to judge a difference by → not confirmed, error "--".
        var oneFile = MacroFile(header: "test")
        oneFile.add(LeaveOneOut.textMacros(stdSummary: Array(std.prefix(1)), cases: Array(steady.prefix(1)), auroc: Array(auroc.prefix(1)),
                                           scores: scores, names: ["a"]))
        try oneFile.write(to: w.path("one.tex"))
        let m1 = try macros(w.path("one.tex"))
        #expect(m1["CaseCVerdict"] == "not confirmed" && m1["CaseCDiff"] == "10.0" && m1["CaseCDiffErr"] == "--")
    }
    /// Training spreads: the seeds' mean and 1/(S−1) deviation, the uncertainty of the mean, and
    /// "better than chance" judged on the mean with the seeds' error once there are several seeds.
    @Test("seed spreads: mean, deviation, uncertainty of the mean, and the better-than-chance rule on the means")
    func seedRules() throws {
        let sp = LeaveOneOut.SeedSpread([0.60, 0.70, 0.80])
        #expect(abs(sp.mean - 0.70) < 1e-12 && abs(sp.spread - 0.10) < 1e-12 && sp.count == 3)
        #expect(abs(sp.uncertainty(bootstrap: 0.01) - (0.0001 + 0.01 / 3).squareRoot()) < 1e-12)
        #expect(LeaveOneOut.SeedSpread([0.42]).spread == 0)
        // One row whose main training (0.600 ± 0.010) is better than chance by the bootstrap alone,
        // but whose seeds (0.60, 0.45, 0.50: mean 0.517 ± 0.076) are not: the rule must follow the seeds.
        let scores = StudyScores.all
        let auroc = [["a"] + [String(format: "%.3f ± 0.010", 0.6)] + (1 ..< scores.count).map { _ in "0.500 ± 0.010" }]
        let cases = [["a", "0.1", "0.1", "0.1", "0.7", "0.1", "0.1", "0.1", "0.7"]]
        let std: [[Double]] = [[0, 0.1, 0.2, 0.3, 0.1, 0.15, 0.3]]
        let alone = Dictionary(LeaveOneOut.textMacros(stdSummary: std, cases: cases, auroc: auroc, scores: scores, names: ["a"]),
                               uniquingKeysWith: { a, _ in a })
        let seeded = Dictionary(LeaveOneOut.textMacros(stdSummary: std, cases: cases, auroc: auroc, scores: scores, names: ["a"],
                                                       stdSeeds: [LeaveOneOut.SeedSpread([0.60, 0.45, 0.50])]),
                                uniquingKeysWith: { a, _ in a })
        #expect(alone["NStdSignificant"] == "1" && seeded["NStdSignificant"] == "0")
        #expect(alone["StdVerdictA"] == "better than chance" && seeded["StdVerdictA"] == "not distinguishable from chance")
        let below = Dictionary(LeaveOneOut.textMacros(stdSummary: std, cases: cases, auroc: auroc, scores: scores, names: ["a"],
                                                      stdSeeds: [LeaveOneOut.SeedSpread([0.30, 0.33, 0.31])]),
                               uniquingKeysWith: { a, _ in a })
        #expect(below["StdVerdictA"] == "worse than chance" && below["NStdSignificant"] == "0")
        // Seeds that agree keep the verdict.
        let steady = Dictionary(LeaveOneOut.textMacros(stdSummary: std, cases: cases, auroc: auroc, scores: scores, names: ["a"],
                                                       stdSeeds: [LeaveOneOut.SeedSpread([0.60, 0.61, 0.59])]),
                                uniquingKeysWith: { a, _ in a })
        #expect(steady["NStdSignificant"] == "1")
    }

    /// The Mahalanobis detector's Gaussians against a direct computation in 3 dimensions: the mean
    /// per class, the pooled covariance shrunk as documented, its explicit inverse (cofactors).
    @Test("Mahalanobis: class means, shrunk shared covariance and the distance match an explicit inverse")
    func mahalanobis() {
        var rng = SplitMix64(seed: 3)
        let n = 300, p = 3
        let labels = (0 ..< n).map { Int32($0 % 2) }
        let features: [Float] = (0 ..< n * p).map { i in
            let e = i / p, j = i % p
            return Float(rng.below(1000)) / 100 + (labels[e] == 1 ? 3 : 0) * Float(j == 0 ? 1 : 0) + Float(j) * Float(rng.below(100)) / 200
        }
        let g = ClassGaussians(features: features, labels: labels, classes: 2, shrinkage: 0.1)
        // Direct: means, covariance around the own class mean / N, shrinkage, inverse.
        var mu = [[Double]](repeating: [0, 0, 0], count: 2), cnt = [0.0, 0.0]
        for e in 0 ..< n { let c = Int(labels[e]); cnt[c] += 1; for j in 0 ..< p { mu[c][j] += Double(features[e * p + j]) } }
        for c in 0 ..< 2 { for j in 0 ..< p { mu[c][j] /= cnt[c] } }
        var s = [[Double]](repeating: [0, 0, 0], count: 3)
        for e in 0 ..< n { let c = Int(labels[e]); for a in 0 ..< p { for b in 0 ..< p {
            s[a][b] += (Double(features[e * p + a]) - mu[c][a]) * (Double(features[e * p + b]) - mu[c][b]) / Double(n) } } }
        let tr = s[0][0] + s[1][1] + s[2][2]
        for a in 0 ..< p { for b in 0 ..< p { s[a][b] = 0.9 * s[a][b] + (a == b ? 0.1 * tr / 3 : 0) } }
        let det = s[0][0] * (s[1][1] * s[2][2] - s[1][2] * s[2][1]) - s[0][1] * (s[1][0] * s[2][2] - s[1][2] * s[2][0]) + s[0][2] * (s[1][0] * s[2][1] - s[1][1] * s[2][0])
        var inv = [[Double]](repeating: [0, 0, 0], count: 3)
        for a in 0 ..< 3 { for b in 0 ..< 3 {
            let r = [0, 1, 2].filter { $0 != b }, c = [0, 1, 2].filter { $0 != a }
            let minor = s[r[0]][c[0]] * s[r[1]][c[1]] - s[r[0]][c[1]] * s[r[1]][c[0]]
            inv[a][b] = ((a + b) % 2 == 0 ? 1 : -1) * minor / det
        } }
        for c in 0 ..< 2 { for j in 0 ..< p { #expect(abs(g.means[c][j] - mu[c][j]) < 1e-9) } }
        for probe in [[1.0, 2.0, 3.0], [5.0, 0.5, -1.0], [2.0, 2.0, 2.0]] {
            let d = (0 ..< 2).map { c -> Double in
                let v = (0 ..< 3).map { probe[$0] - mu[c][$0] }
                var q = 0.0
                for a in 0 ..< 3 { for b in 0 ..< 3 { q += v[a] * inv[a][b] * v[b] } }
                return q
            }
            #expect(abs(g.minimumDistance(probe) - d.min()!) < 1e-8 * max(1, d.min()!), "probe \(probe): \(g.minimumDistance(probe)) vs \(d.min()!)")
        }
    }

    @Test("detectors end to end: energy = −logsumexp of the twin's logits; score files are checked against the twin")
    func detectorsEndToEnd() throws {
        let w = try Workspace()
        try FileManager.default.createDirectory(atPath: w.path("pred"), withIntermediateDirectories: true)
        for kind in [ModelKind.bnn, .deterministic] {
            try w.trainAndPredict(kind, removed: "photon", name: "loo_photon_\(kind == .bnn ? "bnn" : "det")", samples: kind == .bnn ? 5 : 1)
        }
        var aeOptions = AutoencoderOptions()
        aeOptions.epochs = 3
        for d in Detector.allCases {
            _ = try d.run(model: NamedFile("model", w.path("model_loo_photon_det.h5")), data: NamedFile("test", w.path("test.h5")),
                          training: NamedFile("train", w.path("train.h5")), validation: d.isTrained ? NamedFile("val", w.path("val.h5")) : nil,
                          seed: d.isTrained ? 3000 : nil, autoencoder: aeOptions, threads: 2, output: w.path("pred/loo_photon_\(d.rawValue).h5"))
        }
        // The autoencoders, re-derived: trained directly on the known classes of the training file
        // (photon left out) with the seed derived from (3000, photon's label), the epoch picked on
        // the validation file's known classes — the same bits as the detector's, whose thread count
        // (2 above, 1 here) changes nothing; and the seed is required.
        let trainSet = try CaloDataset.read(from: w.path("train.h5")), valSet = try CaloDataset.read(from: w.path("val.h5"))
        let known = try Checkpoint.load(from: w.path("model_loo_photon_det.h5")).classNames
        let testSet = try CaloDataset.read(from: w.path("test.h5"))
        for (d, pre) in [(Detector.autoencoder, Preprocessing()), (.autoencoderNormalised, .energyNormalised)] {
            let fit = try trainSet.trainingInputs(excluding: "photon", outputs: known, preprocessing: pre, path: "train")
            let val = try valSet.trainingInputs(excluding: "photon", outputs: known, preprocessing: pre, path: "val")
            #expect(!fit.classNames.contains("photon") && fit.labels.count == 2 * 60)
            var o = aeOptions
            o.seed = StudySeeds.autoencoder(master: 3000, removed: trainSet.provenance.classNames.firstIndex(of: "photon")); o.threads = 1
            let (ae, _) = try Autoencoder.train(x: fit.cells, count: fit.labels.count, inputs: 504, validation: (val.cells, val.labels.count), options: o)
            let x = try testSet.trainingInputs(outputs: known + ["photon"], preprocessing: pre, path: "test")
            let direct = ae.reconstructionErrors(x: x.cells, count: x.labels.count, threads: 1)
            let file = try ScoreFile.read(w.path("pred/loo_photon_\(d.rawValue).h5"))
            #expect(file.score.map(\.bitPattern) == direct.map(\.bitPattern), "\(d.rawValue)")
            #expect(file.fitSeconds > 0 && file.detector.hasPrefix(d.rawValue))
            #expect(throws: InputError.self) {
                try d.run(model: NamedFile("model", w.path("model_loo_photon_det.h5")), data: NamedFile("test", w.path("test.h5")),
                          training: NamedFile("train", w.path("train.h5")), threads: 1, output: w.path("pred/noseed.h5"))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: w.path("pred/noseed.h5")))
        #expect(try ScoreFile.read(w.path("pred/loo_photon_autoencoder.h5")).score != ScoreFile.read(w.path("pred/loo_photon_autoencoder-normalised.h5")).score)
        // Energy, recomputed from the twin's logits with Foundation's exp/log (to 1e-9).
        let state = try Checkpoint.load(from: w.path("model_loo_photon_det.h5"))
        let net = try state.bestNetwork()
        let test = try CaloDataset.read(from: w.path("test.h5"))
        let inputs = try test.trainingInputs(outputs: state.classNames + ["photon"], path: "test")
        let z = net.logits(x: inputs.cells, count: inputs.labels.count, threads: 1), k = state.classNames.count
        let energy = try ScoreFile.read(w.path("pred/loo_photon_energy.h5"))
        for e in stride(from: 0, to: inputs.labels.count, by: 7) {
            let direct = -log((0 ..< k).map { exp(Double(z[e * k + $0])) }.reduce(0, +))
            #expect(abs(energy.score[e] - direct) < 1e-9 * max(1, abs(direct)))
        }
        #expect(energy.outputClasses == state.classNames && energy.label.filter { $0 == Int32(k) }.count == 30)
        // Evaluated beside the §5 scores; a detector file of another twin is refused.
        var configuration = LeaveOneOut.Configuration(removedClasses: ["photon"], ensembleMembers: 0, bootstrapReplicates: 10,
                                                      bootstrapSeed: 1, registry: .withExtras, profile: "test")
        configuration.detectors = Detector.allCases
        _ = try LeaveOneOut.run(configuration, predictions: w.path("pred"), models: nil, data: nil, to: w.path("ad"), quiet: true)
        #expect(FileManager.default.fileExists(atPath: w.path("ad/detectors.csv")) && FileManager.default.fileExists(atPath: w.path("ad/detectors_rates.csv")))
        try w.trainAndPredict(.deterministic, removed: "photon", member: 1, name: "other_twin", samples: 1)
        _ = try Detector.energy.run(model: NamedFile("model", w.path("model_other_twin.h5")), data: NamedFile("test", w.path("test.h5")),
                                    training: nil, threads: 1, output: w.path("pred/loo_photon_energy.h5"))
        #expect(throws: InputError.self) {
            try LeaveOneOut.run(configuration, predictions: w.path("pred"), models: nil, data: nil, to: w.path("ad2"), quiet: true)
        }
    }
    @Test("spread over repeated trainings: mean and 1/(R−1) deviation per numeric macro; wall times and words skipped")
    func spread() throws {
        let w = try Workspace()
        var paths: [String] = []
        for (r, (auroc, seconds)) in [(0.5, 10.0), (0.7, 20.0), (0.6, 30.0)].enumerated() {
            let dir = r == 0 ? w.path("results") : w.path("repeat\(r)/results")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var f = MacroFile(header: "test")
            f.add("AUROCStdX", String(format: "%.3f", auroc)); f.add("TrainSecondsBNN", String(format: "%.0f", seconds))
            f.add("SimilarVerdict", "confirmed")
            try f.write(to: dir + "/numbers.tex"); paths.append(dir + "/numbers.tex")
        }
        _ = try RepeatSpread.run(paths, profile: "test", to: w.path("spread"))
        let m = try macros(w.path("spread/spread.tex"))
        #expect(m["Repetitions"] == "3" && m["AUROCStdXMean"] == "0.6000" && m["AUROCStdXSpread"] == "0.1000")
        #expect(m["TrainSecondsBNNMean"] == nil && m["SimilarVerdictMean"] == nil)
        #expect(try MacroFile.read(paths[1]).map(\.name) == ["AUROCStdX", "TrainSecondsBNN", "SimilarVerdict"])
    }
}
