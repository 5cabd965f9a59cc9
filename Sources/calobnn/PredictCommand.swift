// `calobnn predict`: Monte-Carlo predictions of a trained model on an HDF5 file (study §4–5).
// Parsing here; the run is StudyExperiments' `NetworkPrediction`, the file StudyData's `PredictionFile`.
import ArgumentParser
import Foundation
import StudyExperiments
import StudyReport

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Monte-Carlo predictions (mean, std, per-sample argmax) of a trained model.",
        discussion: """
        Output datasets: mean (N,K) and std (N,K) float32 of the softmax outputs over T weight samples \
        W_t = μ + σ∘ε_t (population std), argmax (N,T) uint8, label (N) int32 as in the data file. \
        The deterministic twin makes one pass (T = 1, std = 0).

        Examples:
          calobnn predict --model bnn.h5 --data test.h5 --samples 100 --seed 2022 -o pred_bnn.h5
          calobnn predict --model det.h5 --data test.h5 --samples 1 --seed 2022 -o pred_det.h5
        """)

    @Option(help: "Trained model (HDF5 from `calobnn train`).")
    var model: String
    @Option(help: "Input HDF5 file in CaloGAN layout.")
    var data: String
    @Option(parsing: .unconditional, help: "Weight samples T per image.")
    var samples: Int = 100
    @Option(parsing: .unconditional, help: "Seed of the prediction weight samples (stream \"Predict\").")
    var seed: UInt64
    @Option(parsing: .unconditional, help: "Worker threads (results are identical for any value).")
    var threads: Int = 2
    @Option(name: [.short, .customLong("output")], help: "Predictions file to write (HDF5).")
    var output: String

    func validate() throws {
        guard (1 ... 100_000).contains(samples) else { throw ValidationError("--samples must be in 1…100000 (got \(samples))") }
        try checkThreads(threads)
    }

    func run() throws {
        try checkOutput(output, inputs: [("--model", model), ("--data", data)])
        var prediction = NetworkPrediction(model: NamedFile("--model", model), data: NamedFile("--data", data), samples: samples, seed: seed)
        prediction.threads = threads
        ProgressReporter.write(try prediction.run(output: output) + "\n")
    }
}
