// Anomaly scores of a dedicated detector in HDF5 — this file is the format's one home (written by
// `calobnn detect`, read by `calobnn evaluate anomaly`).
//
// Datasets: score (N) float64 — larger = more anomalous; label (N) int32 — the dataset's labels.
// Attributes: detector (its name and settings), output_classes (the known classes the detector was
// fitted on, comma-separated), class_names (the dataset's label names), seconds (scoring wall time),
// fit_seconds (fitting wall time, 0 if none); provenance as in prediction files: data_identity,
// data_file, model_identity, model_file, package_version.
import Foundation

/// A score file's contents.
public struct ScoreFile: Sendable {
    /// One score per event, larger = more anomalous.
    public var score: [Double]
    /// The events' labels mapped to the known classes' indices, and to K (one past the last) for
    /// a class the detector was not fitted on — as in ``PredictionFile/set``.
    public var label: [Int32]
    /// The known classes (K).
    public var outputClasses: [String]
    /// The detector and its settings ("energy", "mahalanobis(pooled 48, shrinkage 0.1)").
    public var detector: String
    /// Identity of the dataset scored, and of the model used.
    public var dataIdentity: String, modelIdentity: String
    /// Wall time of fitting and of scoring, seconds.
    public var fitSeconds: Double, seconds: Double

    /// Write `score` for the events of `dataset` (read from `dataPath`) to `path`, atomically.
    public static func write(_ score: [Double], to path: String, detector: String, outputClasses: [String],
                             dataset: CaloDataset, dataPath: String, modelIdentity: String, modelPath: String,
                             fitSeconds: Double, seconds: Double) throws {
        let n = dataset.batch.count
        precondition(score.count == n)
        try writeHDF5Atomically(to: path) { f in
            try f.write("score", score, shape: [n])
            try f.write("label", dataset.batch.label, shape: [n])
            try f.setAttribute("detector", detector)
            try f.setAttribute("output_classes", outputClasses.joined(separator: ","))
            try f.setAttribute("class_names", dataset.provenance.classNames.joined(separator: ","))
            try f.setAttribute("data_identity", dataset.identity)
            try f.setAttribute("data_file", dataPath)
            try f.setAttribute("model_identity", modelIdentity)
            try f.setAttribute("model_file", modelPath)
            try f.setAttribute("fit_seconds", fitSeconds)
            try f.setAttribute("seconds", seconds)
            try f.setAttribute("package_version", packageVersion)
        }
    }

    /// Read and validate `path`.
    public static func read(_ path: String) throws -> ScoreFile {
        let f = try HDF5File.open(path)
        let labels = try f.read("label", as: Int32.self, expected: [nil]).values
        let score = try f.read("score", as: Double.self, expected: [labels.count]).values
        if let bad = score.firstIndex(where: { !$0.isFinite }) {
            throw HDF5Error("\(path): dataset 'score' holds \(score[bad]) at event \(bad), expected a finite number")
        }
        let outputs = try f.stringAttribute("output_classes").split(separator: ",").map(String.init)
        let names = try f.stringAttribute("class_names").split(separator: ",").map(String.init)
        let mapped = try labels.enumerated().map { i, l -> Int32 in
            guard l >= 0, Int(l) < names.count else {
                throw HDF5Error("\(path): dataset 'label' has label \(l) at event \(i), outside 0..<\(names.count)")
            }
            return Int32(outputs.firstIndex(of: names[Int(l)]) ?? outputs.count)
        }
        return ScoreFile(score: score, label: mapped, outputClasses: outputs, detector: try f.stringAttribute("detector"),
                         dataIdentity: try f.stringAttribute("data_identity"), modelIdentity: try f.stringAttribute("model_identity"),
                         fitSeconds: try f.optionalNumericAttribute("fit_seconds", as: Double.self) ?? .nan,
                         seconds: try f.optionalNumericAttribute("seconds", as: Double.self) ?? .nan)
    }
}
