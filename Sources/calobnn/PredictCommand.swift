// `calobnn predict`: Monte-Carlo predictions of a trained model on an HDF5 file (study §4–5):
// per image the mean and standard deviation of each softmax output over T weight samples, and
// every sample's argmax.
import ArgumentParser
import BayesianNetworks
import Foundation
import StudyData

/// `calobnn predict`.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Monte-Carlo predictions (mean, std, per-sample argmax) of a trained model.",
        discussion: """
        Output datasets: mean (N,K) and std (N,K) float32 of the softmax outputs over T weight samples \
        W_t = μ + σ∘ε_t (population std), argmax (N,T) uint8, label (N) int32 as in the data file. \
        The deterministic twin makes one pass (T = 1, std = 0).
        """)

    @Option(name: .long, help: "Trained model (HDF5 from `calobnn train`).")
    var model: String

    @Option(name: .long, help: "Input HDF5 file in CaloGAN layout.")
    var data: String

    @Option(name: .long, parsing: .unconditional, help: "Weight samples T per image.")
    var samples: Int = 100

    @Option(name: .long, parsing: .unconditional, help: "Seed of the prediction weight samples (stream \"Predict\").")
    var seed: UInt64 = 2022

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (results are identical for any value).")
    var threads: Int = 2

    @Option(name: [.short, .customLong("output")], help: "Predictions file to write (HDF5).")
    var output: String

    func validate() throws {
        guard (1 ... 100_000).contains(samples) else { throw ValidationError("--samples must be in 1…100000 (got \(samples))") }
        guard (1 ... 64).contains(threads) else { throw ValidationError("--threads must be in 1…64 (got \(threads))") }
    }

    func run() throws {
        try checkOutput(output, inputs: [("--model", model), ("--data", data)])
        let state: TrainingState
        do { state = try Checkpoint.load(from: model) } catch { throw CLIError("--model \(error)") }
        let pre = Preprocessing()
        guard state.preprocessing == pre.name else {
            throw CLIError("--model \(model): model was trained with preprocessing '\(state.preprocessing)', this build applies '\(pre.name)'")
        }
        let net: CaloNetwork
        do { net = try state.bestNetwork() } catch { throw CLIError("--model \(model): \(error)") }
        let dataset = try readDataset(data)
        let n = dataset.batch.count
        guard net.config.cellsPerExample == dataset.geometry.totalCells else {
            throw CLIError("--data \(data): events have \(dataset.geometry.totalCells) cells, model \(model) expects \(net.config.cellsPerExample)")
        }
        guard n > 0 else { throw CLIError("--data \(data): dataset 'label' is empty") }
        // The per-sample decisions (N × T bytes) and N × K means and σs must fit in memory.
        let argmaxBytes = n.multipliedReportingOverflow(by: samples)
        guard !argmaxBytes.overflow, argmaxBytes.partialValue <= memoryLimit(bytesEach: 1) else {
            throw CLIError("--samples \(samples): \(n) events × \(samples) samples exceed this machine's memory limit of \(memoryLimit(bytesEach: 1)) per-sample decisions")
        }
        let t0 = Date()
        let result = net.predict(x: pre.apply(dataset.batch.cells), count: n, samples: samples, seed: seed, threads: threads)
        let dt = Date().timeIntervalSince(t0)
        let k = result.classes
        try writeHDF5Atomically(to: output) { f in
            try f.write("mean", result.mean, shape: [n, k])
            try f.write("std", result.std, shape: [n, k])
            try f.write("argmax", result.argmax, shape: [n, result.samples])
            try f.write("label", dataset.batch.label, shape: [n])
            try f.write("expected_entropy", result.expectedEntropy, shape: [n])
            try f.setAttribute("output_classes", state.classNames.joined(separator: ","))
            try f.setAttribute("class_names", dataset.provenance.classNames.joined(separator: ","))
            try f.setAttribute("seconds", dt)
            try f.setAttribute("model_file", model)
            try f.setAttribute("data_file", data)
            // Provenance that `evaluate` checks: what was predicted on, by which model.
            try f.setAttribute("data_identity", dataset.identity)
            try f.setAttribute("data_events", Int64(n))
            try f.setAttribute("data_seed", dataset.provenance.seed)
            try f.setAttribute("model_identity", Checkpoint.identity(of: state))
            try f.setAttribute("model", state.config.kind.rawValue)
            try f.setAttribute("samples", Int64(result.samples))
            try f.setAttribute("seed", seed)
            try f.setAttribute("std_definition", "population (1/T) standard deviation over weight samples")
            try f.setAttribute("preprocessing", pre.name)
            try f.setAttribute("package_version", packageVersion)
        }
        FileHandle.standardError.write(String(format: "predict: %d images × %d samples in %.1f s (%.0f image-samples/s) → %@\n",
                                              n, result.samples, dt, Double(n * result.samples) / dt, output).data(using: .utf8)!)
    }
}
