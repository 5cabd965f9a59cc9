// Monte-Carlo predictions of a trained model on a simulated file (§4 and §5): per image the mean
// and the standard deviation of every softmax output over T weight samples, and every sample's
// decision, written as a StudyData `PredictionFile` with its provenance.
import BayesianNetworks
import Foundation
import StudyData
import StudyReport

/// One prediction run of the study.
public struct NetworkPrediction: Sendable {
    /// The trained model (`calobnn train`).
    public var model: NamedFile
    /// The events to predict.
    public var data: NamedFile
    /// Weight samples T per image (1 for the deterministic twin).
    public var samples: Int
    /// Seed of the weight samples (stream "Predict").
    public var seed: UInt64
    /// Worker threads (results do not depend on them).
    public var threads = 2

    /// A prediction of `model` on `data` with T = `samples` from `seed`.
    public init(model: NamedFile, data: NamedFile, samples: Int, seed: UInt64) {
        self.model = model; self.data = data; self.samples = samples; self.seed = seed
    }

    /// Predict and write `output` atomically; returns the one-line summary.
    public func run(output: String) throws -> String {
        let (state, pre, net) = try ExperimentInputs.model(model)
        let dataset = try ExperimentInputs.dataset(data)
        let n = dataset.batch.count
        guard net.config.cellsPerExample == dataset.geometry.totalCells else {
            throw InputError("\(data.name) \(data.path): events have \(dataset.geometry.totalCells) cells, model \(model.path) expects \(net.config.cellsPerExample)")
        }
        guard n > 0 else { throw InputError("\(data.name) \(data.path): dataset 'label' is empty") }
        // The per-sample decisions (N × T bytes) and N × K means and σs must fit in memory.
        let limit = HDF5File.memoryLimitBytes
        let argmaxBytes = n.multipliedReportingOverflow(by: samples)
        guard !argmaxBytes.overflow, argmaxBytes.partialValue <= limit else {
            throw InputError("--samples \(samples): \(n) events × \(samples) samples exceed this machine's memory limit of \(limit) per-sample decisions")
        }
        let t0 = Date()
        let result = net.predict(x: pre.apply(dataset.batch.cells, cellsPerEvent: dataset.geometry.totalCells), count: n, samples: samples, seed: seed, threads: threads)
        let dt = Date().timeIntervalSince(t0)
        try PredictionFile.write(result, to: output, state: state, dataset: dataset, dataPath: data.path, modelPath: model.path,
                                 seed: seed, seconds: dt, preprocessing: pre.name)
        return String(format: "predict: %d images × %d samples in %.1f s (%.0f image-samples/s) → %@",
                      n, result.samples, dt, Double(n * result.samples) / dt, output)
    }
}
