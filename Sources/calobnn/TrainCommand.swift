// `calobnn train`: train the study's BNN or its deterministic twin on a simulated HDF5 file
// (study §4; §5 with --exclude-class). Thin: parsing and file handling here, the work in
// BayesianNetworks (Training) and StudyData (CaloDataset, Checkpoint).
import ArgumentParser
import BayesianNetworks
import Foundation
import StudyData

extension ModelKind: ExpressibleByArgument {}

/// A run-time error of `train`/`predict` (bad input found after parsing): ArgumentParser
/// prints it as one line, `Error: <message>`, and exits with status 1.
struct CommandError: Error, CustomStringConvertible {
    /// The one-line message, naming the file and dataset or option at fault.
    let description: String
    init(_ message: String) { description = message }
}

/// `calobnn train`.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the study's Bayesian (Flipout) network or its deterministic twin on a simulated HDF5 file.",
        discussion: """
        Writes a checkpoint after every epoch to <output>.ckpt (atomically) and the model to <output> at the end. \
        --resume continues from the checkpoint; the result is bit-identical to an uninterrupted run.
        """)

    @Option(name: .long, help: "Input HDF5 file in CaloGAN layout with labels (from `calobnn simulate`).")
    var data: String

    @Option(name: .long, help: "Model: bnn (Flipout, mean-field Gaussian weights) or deterministic (the twin).")
    var model: ModelKind = .bnn

    @Option(name: .long, help: "Leave this class out of training (anomaly-detection runs, study §5).")
    var excludeClass: String?

    @Option(name: .long, help: "Maximum number of epochs.")
    var epochs: Int = 50

    @Option(name: .long, help: "Minibatch size.")
    var batch: Int = 128

    @Option(name: .long, help: "Master seed: initialisation, split, shuffling and weight noise derive from it by named salts.")
    var seed: UInt64 = 2022

    @Option(name: .long, help: "Fraction of the events held out for validation (early stopping).")
    var validationFraction: Double = 0.2

    @Option(name: .long, help: "Stop after this many epochs without a lower validation loss.")
    var patience: Int = 5

    @Option(name: .long, help: "Worker threads (results are identical for any value).")
    var threads: Int = 2

    @Option(name: .long, help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Option(name: .long, help: "Prior of the weights: normal(σ) or mixture(π,σ₁,σ₂).")
    var prior: String = "normal(1.0)"

    @Flag(name: .long, help: "Make the biases Bayesian too (default: deterministic biases, as TFP).")
    var bayesianBias = false

    @Flag(name: .long, help: "Continue from <output>.ckpt if it exists.")
    var resume = false

    @Flag(name: .long, help: "No progress lines on stderr.")
    var quiet = false

    @Option(name: [.short, .customLong("output")], help: "Model file to write (HDF5).")
    var output: String

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be ≥ 1 (got \(epochs))") }
        guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1 (got \(batch))") }
        guard (0 ..< 1).contains(validationFraction) else { throw ValidationError("--validation-fraction must be in [0, 1) (got \(validationFraction))") }
        guard patience >= 1 else { throw ValidationError("--patience must be ≥ 1 (got \(patience))") }
        guard (1 ... 64).contains(threads) else { throw ValidationError("--threads must be in 1…64 (got \(threads))") }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be > 0") }
        _ = try priorNamed(prior)
    }

    func run() throws {
        let dataset = try CaloDataset.read(from: data)
        let pre = Preprocessing()
        let inputs: TrainingInputs
        do { inputs = try dataset.trainingInputs(excluding: excludeClass, preprocessing: pre, path: data) }
        catch let e as InputError { throw CommandError(e.description) }
        let (cells, labels, names) = (inputs.cells, inputs.labels, inputs.classNames)
        guard labels.count >= 2 else { throw CommandError("\(data): fewer than 2 events to train on") }
        guard names.count <= 256 else { throw CommandError("\(data): more than 256 classes") }
        var opt = TrainingOptions()
        opt.epochs = epochs; opt.batchSize = batch; opt.seed = seed; opt.validationFraction = validationFraction
        opt.patience = patience; opt.threads = threads; opt.learningRate = learningRate; opt.verbose = !quiet
        let ckpt = output + ".ckpt"
        var state: TrainingState
        if resume && FileManager.default.fileExists(atPath: ckpt) {
            state = try Checkpoint.load(from: ckpt)
            guard state.classNames == names, state.config.kind == model else {
                throw CommandError("\(ckpt): checkpoint is for model \(state.config.kind.rawValue) with classes \(state.classNames.joined(separator: ",")), not this run")
            }
            let o = state.options
            guard o.seed == seed, o.batchSize == batch, o.validationFraction == validationFraction else {
                throw CommandError("\(ckpt): checkpoint was made with --seed \(o.seed) --batch \(o.batchSize) --validation-fraction \(o.validationFraction); resume with the same values")
            }
            state.options.epochs = epochs; state.options.threads = threads; state.options.verbose = !quiet
            state.options.patience = patience
            if !quiet { FileHandle.standardError.write("train: resuming \(ckpt) after epoch \(state.epochsCompleted)\n".data(using: .utf8)!) }
        } else {
            let cfg = NetworkConfig(kind: model, classes: names.count, bayesianBias: bayesianBias)
            let net = CaloNetwork(config: cfg, prior: try priorNamed(prior), seed: seed)
            let nTrain = trainValidationSplit(count: labels.count, fraction: validationFraction, seed: seed).train.count
            state = TrainingState(network: net, options: opt, classNames: names, preprocessing: pre.name, trainingCount: nTrain)
        }
        let final = try Training.run(state: state, cells: cells, labels: labels) { try Checkpoint.save($0, to: ckpt) }
        try Checkpoint.save(final, to: output)
        if !quiet {
            let va = final.history.validationAccuracy.isEmpty ? Double.nan : final.history.validationAccuracy[final.bestEpoch - 1]
            FileHandle.standardError.write(String(format: "train: %@ → %@ (best epoch %d, val_loss %.4f, val_acc %.4f)\n",
                                                  model.rawValue, output, final.bestEpoch, final.bestValidationLoss, va).data(using: .utf8)!)
        }
    }
}
