// The robustness checks side by side: the same study run with another detector response (the
// visible liquid-argon energy with sampling fluctuations and electronic noise) or with
// energy-normalised network inputs, against the study's own run. Reads each run's
// `classification/summary.json` and `anomaly/summary.json`; writes one table and macros.
import Foundation
import StudyData
import StudyReport

/// Headline numbers of several runs of the study, side by side.
public enum Robustness {
    /// A run: its name (a column) and its results directory (`out/<profile>…/results`).
    public struct Run: Sendable {
        /// Column name ("study", "visible + noise", "normalised inputs").
        public var name: String
        /// The `results` directory of the run.
        public var results: String
        /// A run named `name` with results in `results`.
        public init(name: String, results: String) { self.name = name; self.results = results }
    }

    /// The rows compared: (label, macro stem, value from the classification and anomaly summaries).
    static let rows: [(String, String, ([String: Any], [String: Any]) -> Double?)] = [
        ("accuracy BNN", "AccBNN", { c, _ in c["accuracy_bnn"] as? Double }),
        ("accuracy twin", "AccDet", { c, _ in c["accuracy_det"] as? Double }),
        ("AUC γ vs π⁰ → γγ, BNN", "AUCPizeroBNN", { c, _ in (c["photon_auc"] as? [String: Any])?["photon_vs_pi0_gg.bnn"] as? Double }),
        ("AUC γ vs π⁰ → γγ, twin", "AUCPizeroDet", { c, _ in (c["photon_auc"] as? [String: Any])?["photon_vs_pi0_gg.det"] as? Double }),
        ("AUC γ vs π⁰ → γγ, energy sum", "AUCPizeroESum", { c, _ in (c["photon_auc"] as? [String: Any])?["photon_vs_pi0_gg.energy_sum"] as? Double }),
        ("AUROC BNN σ, J/ψ removed", "AUROCStdJpsi", { _, a in auroc(a, "jpsi_ee", "bnn_std_pred") }),
        ("AUROC BNN σ, noise burst removed", "AUROCStdBurst", { _, a in auroc(a, "noise_burst", "bnn_std_pred") }),
        ("AUROC BNN σ, mean over removed classes", "AUROCStdMean", { _, a in meanAUROC(a, "bnn_std_pred") }),
        ("AUROC twin 1 − max, mean over removed classes", "AUROCDetMean", { _, a in meanAUROC(a, "det_1_minus_max") }),
    ]

    static func auroc(_ a: [String: Any], _ cls: String, _ score: String) -> Double? {
        ((a[cls] as? [String: Any])?[score] as? [String: Any])?["auroc"] as? Double
    }
    static func meanAUROC(_ a: [String: Any], _ score: String) -> Double? {
        let values = a.keys.filter { $0 != "profile" }.compactMap { auroc(a, $0, score) }
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Compare `runs` (the first is the reference) into `directory`: `robustness.{tex,md,csv}`
    /// and `numbers.tex` (`\Robust<Stem><Run index>`). Returns the one-line summary.
    public static func run(_ runs: [Run], to directory: String) throws -> String {
        var summaries: [([String: Any], [String: Any])] = []
        for run in runs {
            func read(_ part: String) throws -> [String: Any] {
                let path = "\(run.results)/\(part)/summary.json"
                guard let data = FileManager.default.contents(atPath: path),
                      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw InputError("\(path): missing or not a summary written by `calobnn evaluate \(part)` (run the study with these settings first)")
                }
                return json
            }
            summaries.append((try read("classification"), try read("anomaly")))
        }
        try writeDirectoryAtomically(to: directory) { output in
            var macros = MacroFile(header: "calobnn evaluate robustness")
            var table: [[String]] = []
            for (label, stem, value) in rows {
                var row = [label]
                for (i, (c, a)) in summaries.enumerated() {
                    let v = value(c, a)
                    row.append(v.map { fmt($0, 3) } ?? "—")
                    macros.add("Robust\(stem)\(["A", "B", "C", "D", "E", "F"][min(i, 5)])", v.map { fmt($0, 3) } ?? "—")
                }
                table.append(row)
            }
            for (i, run) in runs.enumerated() { macros.add("RobustRun\(["A", "B", "C", "D", "E", "F"][min(i, 5)])", run.name) }
            try ResultTable(caption: "Headline numbers of the study (first column) and of its robustness checks, each a run of the study's §4 and §5 with one setting changed; every number is the main training's (first seed).",
                            header: ["number"] + runs.map(\.name), rows: table).write(to: output, stem: "robustness")
            try macros.write(to: "\(output)/numbers.tex")
        }
        return "robustness: \(runs.count) runs × \(rows.count) numbers → \(directory)"
    }
}
