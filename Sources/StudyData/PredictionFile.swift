// Monte-Carlo predictions in HDF5 — this file is the format's one home: ``PredictionFile/write(_:to:model:state:dataset:dataPath:modelPath:seed:seconds:)``
// (used by `calobnn predict`) writes it and ``PredictionFile/read(_:)`` (used by every evaluation) reads it.
//
// Datasets: mean (N,K) and std (N,K) float32 — per output node, the mean and standard deviation
// of the softmax over T weight samples; argmax (N,T) uint8 — each sample's decision;
// expected_entropy (N) float32 — (1/T) Σₜ H(pₜ) in nats; label (N) int32 — the dataset's labels.
// Attributes: output_classes (comma-separated class names of the K nodes), class_names (the
// dataset's label names), samples T, model kind, seconds (prediction wall time); provenance:
// data_identity and model_identity (content SHA-256s, see Identity.swift), data_events, data_seed,
// data_file and model_file (paths as given).
import BayesianNetworks
import Classification
import Foundation

/// A prediction file's contents.
public struct PredictionFile: Sendable {
    /// The predictions, with labels mapped to output-node indices where the class is known to the
    /// model, and to K (one past the last node) for classes the model never saw: those are the
    /// anomalies of study §5 (``anomalyClasses`` names them; ``datasetLabels`` keeps the originals).
    public var set: PredictionSet
    /// Names of the K output nodes.
    public var outputClasses: [String]
    /// The dataset's label names (labels in the file index into these).
    public var datasetClasses: [String]
    /// The dataset's labels as stored (N).
    public var datasetLabels: [Int32]
    /// "bnn" or "deterministic".
    public var model: String
    /// Wall time of the prediction, seconds (NaN if not recorded).
    public var seconds: Double
    /// Identity of the dataset predicted on (``CaloDataset/identity``); nil in files without provenance.
    public var dataIdentity: String?
    /// Identity of the model that predicted (``Checkpoint/identity(of:)``); nil in files without provenance.
    public var modelIdentity: String?
    /// Path of the data file as given to `predict` (for messages).
    public var dataFile: String?
    /// Path of the model file as given to `predict` (for messages).
    public var modelFile: String?

    /// The dataset's classes that are not outputs of the model, in label order: the events
    /// ``set`` labels K (the anomalies of a leave-one-out model; empty for a model of all classes).
    public var anomalyClasses: [String] {
        let present = Set(datasetLabels.map(Int.init))
        return datasetClasses.indices.filter { present.contains($0) && !outputClasses.contains(datasetClasses[$0]) }.map { datasetClasses[$0] }
    }

    /// Write the predictions `result` of the model `state` (read from `modelPath`) on `dataset`
    /// (read from `dataPath`) to `path`, atomically, with the provenance `read` and `evaluate` check.
    public static func write(_ result: PredictionResult, to path: String, state: TrainingState,
                             dataset: CaloDataset, dataPath: String, modelPath: String,
                             seed: UInt64, seconds: Double, preprocessing: String) throws {
        let n = result.count, k = result.classes
        try writeHDF5Atomically(to: path) { f in
            try f.write("mean", result.mean, shape: [n, k])
            try f.write("std", result.std, shape: [n, k])
            try f.write("argmax", result.argmax, shape: [n, result.samples])
            try f.write("label", dataset.batch.label, shape: [n])
            try f.write("expected_entropy", result.expectedEntropy, shape: [n])
            try f.setAttribute("output_classes", state.classNames.joined(separator: ","))
            try f.setAttribute("class_names", dataset.provenance.classNames.joined(separator: ","))
            try f.setAttribute("seconds", seconds)
            try f.setAttribute("model_file", modelPath)
            try f.setAttribute("data_file", dataPath)
            // Provenance that `evaluate` checks: what was predicted on, by which model.
            try f.setAttribute("data_identity", dataset.identity)
            try f.setAttribute("data_events", Int64(n))
            try f.setAttribute("data_seed", dataset.provenance.seed)
            try f.setAttribute("model_identity", Checkpoint.identity(of: state))
            try f.setAttribute("model", state.config.kind.rawValue)
            try f.setAttribute("samples", Int64(result.samples))
            try f.setAttribute("seed", seed)
            try f.setAttribute("std_definition", "population (1/T) standard deviation over weight samples")
            try f.setAttribute("preprocessing", preprocessing)
            try f.setAttribute("package_version", packageVersion)
        }
    }

    /// The tolerance on a mean above 1 or a σ above ½ (float rounding of a mean over T samples).
    static let roundingSlack: Float = 1e-4

    /// Read and validate `path`.
    public static func read(_ path: String) throws -> PredictionFile {
        let f = try HDF5File.open(path)
        let labels = try f.read("label", as: Int32.self, expected: [nil]).values
        let n = labels.count
        let outputClasses = try f.stringAttribute("output_classes").split(separator: ",").map(String.init)
        let k = outputClasses.count
        guard (1 ... 256).contains(k), Set(outputClasses).count == k else {
            throw HDF5Error("\(path): attribute 'output_classes' must list 1…256 distinct classes (got \(k))")
        }
        let mean = try f.read("mean", as: Float.self, expected: [n, k]).values
        let std = try f.read("std", as: Float.self, expected: [n, k]).values
        let argmaxShape = try f.shape(of: "argmax")
        guard argmaxShape.count == 2, argmaxShape[0] == n else {
            throw HDF5Error("\(path): dataset 'argmax' has shape \(argmaxShape), expected (\(n), T)")
        }
        guard argmaxShape[1] >= 1 else { throw HDF5Error("\(path): dataset 'argmax' has no samples (T = 0)") }
        let argmax = try f.read("argmax", as: UInt8.self).values
        if f.containsAttribute("samples") {
            let t = try f.numericAttribute("samples", as: Int64.self)
            guard t == Int64(argmaxShape[1]) else { throw HDF5Error("\(path): attribute 'samples' is \(t), dataset 'argmax' holds \(argmaxShape[1])") }
        }
        let expected = f.contains("expected_entropy") ? try f.read("expected_entropy", as: Float.self, expected: [n]).values : nil
        // Softmax outputs: means in [0, 1], population σ in [0, ½]; argmax indexes a node.
        let slack = roundingSlack
        if let bad = mean.firstIndex(where: { !($0 >= 0 && $0 <= 1 + slack) }) {
            throw HDF5Error("\(path): dataset 'mean' holds \(mean[bad]) at event \(bad / k), outside [0, 1]")
        }
        if let bad = std.firstIndex(where: { !($0 >= 0 && $0 <= 0.5 + slack) }) {
            throw HDF5Error("\(path): dataset 'std' holds \(std[bad]) at event \(bad / k), outside [0, 0.5]")
        }
        if let bad = argmax.firstIndex(where: { Int($0) >= k }) {
            throw HDF5Error("\(path): dataset 'argmax' holds node \(argmax[bad]) at event \(bad / argmaxShape[1]), but there are \(k) output nodes")
        }
        if let expected, let bad = expected.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw HDF5Error("\(path): dataset 'expected_entropy' holds \(expected[bad]) at event \(bad), expected a finite value ≥ 0")
        }
        let datasetClasses = try f.optionalStringAttribute("class_names")?.split(separator: ",").map(String.init) ?? outputClasses
        let mapped = try labels.enumerated().map { i, l -> Int32 in
            guard l >= 0, Int(l) < datasetClasses.count else {
                throw HDF5Error("\(path): dataset 'label' has label \(l) at event \(i), outside 0..<\(datasetClasses.count)")
            }
            return Int32(outputClasses.firstIndex(of: datasetClasses[Int(l)]) ?? k)
        }
        return PredictionFile(
            set: PredictionSet(mean: mean, std: std, argmax: argmax, expectedEntropy: expected, label: mapped, classes: k),
            outputClasses: outputClasses, datasetClasses: datasetClasses, datasetLabels: labels,
            model: try f.optionalStringAttribute("model") ?? "unknown",
            seconds: try f.optionalNumericAttribute("seconds", as: Double.self) ?? .nan,
            dataIdentity: try f.optionalStringAttribute("data_identity"), modelIdentity: try f.optionalStringAttribute("model_identity"),
            dataFile: try f.optionalStringAttribute("data_file"), modelFile: try f.optionalStringAttribute("model_file"))
    }
}
