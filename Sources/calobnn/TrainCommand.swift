// `calobnn train`: train the study's BNN or its deterministic twin on a simulated HDF5 file
// (study §4; §5 with --exclude-class). Thin: parsing and file handling here, the work in
// BayesianNetworks (Training) and StudyData (CaloDataset, Checkpoint).
import ArgumentParser
import BayesianNetworks
import Foundation
import CalorimeterSimulation
import StudyData

extension ModelKind: ExpressibleByArgument {}

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

    @Option(name: .long, help: "Validation file (same classes) for early stopping; without it a fraction of --data is held out.")
    var validation: String?

    @Option(name: .long, help: "Fraction of the events held out for validation when no --validation file is given.")
    var validationFraction: Double = 0.2

    @Option(name: .long, help: "Deep-ensemble member index (0 = the twin itself): members differ only by their derived seed.")
    var member: Int = 0

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
        guard member >= 0 else { throw ValidationError("--member must be ≥ 0") }
        _ = try priorNamed(prior)
    }

    /// The seed the run actually uses. Leave-one-out runs and ensemble members derive theirs from
    /// (seed, removed class, member) by the salt "leave-one-out", so every removed class and member
    /// has its own initialisation and noise while one documented seed drives them all.
    func effectiveSeed(classNames: [String]) -> UInt64 {
        guard excludeClass != nil || member > 0 else { return seed }
        let removed = excludeClass.flatMap { classNames.firstIndex(of: $0) }.map(UInt64.init) ?? UInt64.max
        return SeedDerivation.seed(seed, salt: "leave-one-out", removed, UInt64(member))
    }

    func run() throws {
        let dataset = try readDataset(data)
        let pre = Preprocessing()
        let inputs: TrainingInputs
        do { inputs = try dataset.trainingInputs(excluding: excludeClass, preprocessing: pre, path: data) }
        catch let e as InputError { throw CLIError(e.description) }
        var heldOut: (cells: [Float], labels: [Int32])? = nil
        if let validation {
            let validationSet = try readDataset(validation)
            do {
                let v = try validationSet.trainingInputs(excluding: excludeClass, outputs: inputs.classNames,
                                                         preprocessing: pre, path: validation)
                heldOut = (v.cells, v.labels)
            } catch let e as InputError { throw CLIError(e.description) }
        }
        let seed = effectiveSeed(classNames: dataset.provenance.classNames)
        let validationFraction = validation == nil ? self.validationFraction : 0
        let (cells, labels, names) = (inputs.cells, inputs.labels, inputs.classNames)
        guard labels.count >= 2 else { throw CLIError("\(data): fewer than 2 events to train on") }
        guard names.count <= 256 else { throw CLIError("\(data): more than 256 classes") }
        var opt = TrainingOptions()
        opt.epochs = epochs; opt.batchSize = batch; opt.seed = seed; opt.validationFraction = validationFraction
        opt.patience = patience; opt.threads = threads; opt.learningRate = learningRate; opt.verbose = !quiet
        let ckpt = output + ".ckpt"
        var state: TrainingState
        if resume && FileManager.default.fileExists(atPath: ckpt) {
            state = try Checkpoint.load(from: ckpt)
            guard state.classNames == names, state.config.kind == model else {
                throw CLIError("\(ckpt): checkpoint is for model \(state.config.kind.rawValue) with classes \(state.classNames.joined(separator: ",")), not this run")
            }
            let o = state.options
            guard o.seed == seed, o.batchSize == batch, o.validationFraction == validationFraction else {
                throw CLIError("\(ckpt): checkpoint was made with --seed \(o.seed) --batch \(o.batchSize) --validation-fraction \(o.validationFraction); resume with the same values")
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
        if !quiet {
            FileHandle.standardError.write("train: \(model.rawValue) on \(data)\(excludeClass.map { " without \($0)" } ?? "")\(member > 0 ? ", ensemble member \(member)" : ""), seed \(seed) (from --seed \(self.seed))\n".data(using: .utf8)!)
        }
        let final: TrainingState
        do {
            final = try Training.run(state: state, cells: cells, labels: labels, validation: heldOut) { try Checkpoint.save($0, to: ckpt) }
            try Checkpoint.save(final, to: output)
        } catch let e as TrainingError { throw CLIError(e.description) } catch let e as HDF5Error { throw CLIError(e.description) }
        // The run finished: the model file holds everything the checkpoint did.
        try? FileManager.default.removeItem(atPath: ckpt)
        if !quiet {
            let va = final.history.validationAccuracy.isEmpty ? Double.nan : final.history.validationAccuracy[final.bestEpoch - 1]
            FileHandle.standardError.write(String(format: "train: %@ → %@ (best epoch %d, val_loss %.4f, val_acc %.4f)\n",
                                                  model.rawValue, output, final.bestEpoch, final.bestValidationLoss, va).data(using: .utf8)!)
        }
    }
}
