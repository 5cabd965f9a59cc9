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
        --resume continues from the checkpoint; the result is bit-identical to an uninterrupted run. It is an error \
        if there is no checkpoint, or if any setting but --epochs, --threads and --quiet (or the data) changed. \
        A diverging run (a non-finite loss or gradient) stops with an error and writes no model.
        """)

    @Option(name: .long, help: "Input HDF5 file in CaloGAN layout with labels (from `calobnn simulate`).")
    var data: String

    @Option(name: .long, help: "Model: bnn (Flipout, mean-field Gaussian weights) or deterministic (the twin).")
    var model: ModelKind = .bnn

    @Option(name: .long, help: "Leave this class out of training (anomaly-detection runs, study §5).")
    var excludeClass: String?

    @Option(name: .long, parsing: .unconditional, help: "Maximum number of epochs.")
    var epochs: Int = 50

    @Option(name: .long, parsing: .unconditional, help: "Minibatch size.")
    var batch: Int = 128

    @Option(name: .long, parsing: .unconditional, help: "Master seed: initialisation, split, shuffling and weight noise derive from it by named salts.")
    var seed: UInt64 = 2022

    @Option(name: .long, help: "Validation file (same classes) for early stopping; without it a fraction of --data is held out.")
    var validation: String?

    @Option(name: .long, parsing: .unconditional, help: "Fraction of the events held out for validation when no --validation file is given.")
    var validationFraction: Double = 0.2

    @Option(name: .long, parsing: .unconditional, help: "Deep-ensemble member index (0 = the twin itself): members differ only by their derived seed.")
    var member: Int = 0

    @Option(name: .long, parsing: .unconditional, help: "Stop after this many epochs without a lower validation loss.")
    var patience: Int = 5

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (results are identical for any value).")
    var threads: Int = 2

    @Option(name: .long, parsing: .unconditional, help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Option(name: .long, parsing: .unconditional, help: "Prior of the weights: normal(σ) or mixture(π,σ₁,σ₂).")
    var prior: String = "normal(1.0)"

    @Flag(name: .long, help: "Make the biases Bayesian too (default: deterministic biases, as TFP).")
    var bayesianBias = false

    @Flag(name: .long, help: "Continue from <output>.ckpt (an error if there is none, or if a setting changed).")
    var resume = false

    @Flag(name: .long, help: "No progress lines on stderr.")
    var quiet = false

    @Option(name: [.short, .customLong("output")], help: "Model file to write (HDF5).")
    var output: String

    func validate() throws {
        guard (1 ... 1_000_000).contains(epochs) else { throw ValidationError("--epochs must be in 1…1000000 (got \(epochs))") }
        guard (1 ... Train.batchLimit).contains(batch) else { throw ValidationError("--batch must be in 1…\(Train.batchLimit) (got \(batch))") }
        guard (0 ..< 1).contains(validationFraction) else { throw ValidationError("--validation-fraction must be in [0, 1) (got \(validationFraction))") }
        guard patience >= 1 else { throw ValidationError("--patience must be ≥ 1 (got \(patience))") }
        guard (1 ... 64).contains(threads) else { throw ValidationError("--threads must be in 1…64 (got \(threads))") }
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--learning-rate must be a finite number > 0 (got \(learningRate))") }
        guard (0 ... 1_000_000).contains(member) else { throw ValidationError("--member must be in 0…1000000 (got \(member))") }
        do { _ = try strictPrior(prior) } catch { throw ValidationError("--prior: \(error)") }
    }

    /// The largest minibatch: its inputs alone take batch × 504 floats, and the network's
    /// per-example work space grows with it.
    static let batchLimit = 65_536

    /// The seed the run actually uses. Leave-one-out runs and ensemble members derive theirs from
    /// (seed, removed class, member) by the salt "leave-one-out", so every removed class and member
    /// has its own initialisation and noise while one documented seed drives them all.
    func effectiveSeed(classNames: [String]) -> UInt64 {
        guard excludeClass != nil || member > 0 else { return seed }
        let removed = excludeClass.flatMap { classNames.firstIndex(of: $0) }.map(UInt64.init) ?? UInt64.max
        return SeedDerivation.seed(seed, salt: "leave-one-out", removed, UInt64(member))
    }

    func run() throws {
        let ckpt = output + ".ckpt"
        let inputFiles = [("--data", data)] + (validation.map { [("--validation", $0)] } ?? [])
        try checkOutput(output, inputs: inputFiles)
        try checkOutput(ckpt, option: "-o (its checkpoint)", inputs: inputFiles)
        let dataset = try readDataset(data)
        if let excludeClass, !dataset.provenance.classNames.contains(excludeClass) {
            throw CLIError("--exclude-class \(excludeClass): not a class of \(data) (classes: \(dataset.provenance.classNames.joined(separator: ", ")))")
        }
        let pre = Preprocessing()
        let inputs: TrainingInputs
        do { inputs = try dataset.trainingInputs(excluding: excludeClass, preprocessing: pre, path: data) }
        catch let e as InputError { throw CLIError("--data \(e.description)") }
        // The training file is judged before the validation file is read (an empty training file
        // must be named as such, not as a validation mismatch).
        guard inputs.labels.count >= 2 else {
            throw CLIError("--data \(data): \(inputs.labels.count) event(s) to train on\(excludeClass.map { " without \($0)" } ?? ""); need at least 2")
        }
        guard inputs.classNames.count >= 2 else {
            throw CLIError("--data \(data): holds only the class \(inputs.classNames.joined())\(excludeClass.map { " besides \($0)" } ?? ""); a classifier needs at least 2")
        }
        guard inputs.classNames.count <= ArchitectureLimits.classes.upperBound else { throw CLIError("--data \(data): more than \(ArchitectureLimits.classes.upperBound) classes") }
        var heldOut: (cells: [Float], labels: [Int32])? = nil
        var validationIdentity = ""
        if let validation {
            let validationSet = try readDataset(validation)
            do {
                let v = try validationSet.trainingInputs(excluding: excludeClass, outputs: inputs.classNames,
                                                         preprocessing: pre, path: validation)
                guard !v.labels.isEmpty else { throw InputError("\(validation): no events of the model's classes") }
                heldOut = (v.cells, v.labels)
            } catch let e as InputError { throw CLIError("--validation \(e.description)") }
            validationIdentity = validationSet.identity
        }
        let provenance = ["training_data_identity": dataset.identity, "validation_data_identity": validationIdentity,
                          "training_data_file": data, "validation_data_file": validation ?? ""]
        let seed = effectiveSeed(classNames: dataset.provenance.classNames)
        let validationFraction = validation == nil ? self.validationFraction : 0
        let (cells, labels, names) = (inputs.cells, inputs.labels, inputs.classNames)
        var opt = TrainingOptions()
        opt.epochs = epochs; opt.batchSize = batch; opt.seed = seed; opt.validationFraction = validationFraction
        opt.patience = patience; opt.threads = threads; opt.learningRate = learningRate; opt.verbose = !quiet
        let priorName = try strictPrior(prior).name
        var state: TrainingState
        let resumed = resume
        if resume {
            guard FileManager.default.fileExists(atPath: ckpt) else {
                throw CLIError(FileManager.default.fileExists(atPath: output)
                    ? "--resume: nothing to resume: \(output) is a finished model and there is no checkpoint \(ckpt)"
                    : "--resume: nothing to resume: no checkpoint \(ckpt); run without --resume to start training")
            }
            do { state = try Checkpoint.load(from: ckpt) } catch { throw CLIError("--resume \(error)") }
            let saved = try Checkpoint.provenance(of: ckpt, Array(provenance.keys))
            let o = state.options
            // Every setting that shapes the result must be the checkpoint's; only --epochs (to
            // extend or shorten the run), --threads and --quiet may change.
            var changed: [String] = []
            func compare(_ option: String, _ old: String, _ new: String) { if old != new { changed.append("\(option) \(old) → \(new)") } }
            compare("--model", state.config.kind.rawValue, model.rawValue)
            compare("classes (--data/--exclude-class)", state.classNames.joined(separator: ","), names.joined(separator: ","))
            compare("seed (--seed/--exclude-class/--member)", "\(o.seed)", "\(seed)")
            compare("--batch", "\(o.batchSize)", "\(batch)")
            compare("--validation-fraction (0 with --validation)", "\(o.validationFraction)", "\(validationFraction)")
            compare("--learning-rate", "\(o.learningRate)", "\(learningRate)")
            compare("--prior", state.priorName, priorName)
            compare("--bayesian-bias", "\(state.config.bayesianBias)", "\(bayesianBias)")
            compare("--patience", "\(o.patience)", "\(patience)")
            compare("--data (content)", saved["training_data_identity"].map { String($0.prefix(12)) } ?? "unrecorded",
                    String(provenance["training_data_identity"]!.prefix(12)))
            compare("--validation (content)", saved["validation_data_identity"].map { $0.isEmpty ? "none" : String($0.prefix(12)) } ?? "unrecorded",
                    validationIdentity.isEmpty ? "none" : String(validationIdentity.prefix(12)))
            guard changed.isEmpty else {
                throw CLIError("--resume: \(ckpt) was made with other settings: \(changed.joined(separator: ", ")); resume with the checkpoint's values or start afresh without --resume")
            }
            state.options.epochs = epochs; state.options.threads = threads; state.options.verbose = !quiet
            if !quiet { FileHandle.standardError.write("train: resuming \(ckpt) after epoch \(state.epochsCompleted)\n".data(using: .utf8)!) }
        } else {
            let cfg = NetworkConfig(kind: model, classes: names.count, bayesianBias: bayesianBias)
            let net = CaloNetwork(config: cfg, prior: try strictPrior(prior), seed: seed)
            let nTrain = trainValidationSplit(count: labels.count, fraction: validationFraction, seed: seed).train.count
            state = TrainingState(network: net, options: opt, classNames: names, preprocessing: pre.name, trainingCount: nTrain)
        }
        if !quiet {
            FileHandle.standardError.write("train: \(model.rawValue) on \(data)\(excludeClass.map { " without \($0)" } ?? "")\(member > 0 ? ", ensemble member \(member)" : ""), seed \(seed) (from --seed \(self.seed))\n".data(using: .utf8)!)
        }
        let final: TrainingState
        do {
            final = try Training.run(state: state, cells: cells, labels: labels, validation: heldOut) {
                try Checkpoint.save($0, to: ckpt, provenance: provenance)
            }
        } catch let e as TrainingError {
            // A diverged run: its checkpoints would only diverge again. Keep one we resumed from.
            if !resumed { try? FileManager.default.removeItem(atPath: ckpt) }
            throw CLIError("\(data): \(e.description); \(output) was not written")
        }
        guard final.bestEpoch >= 1 else {
            if !resumed { try? FileManager.default.removeItem(atPath: ckpt) }
            throw CLIError("\(data): no epoch lowered the validation loss; \(output) was not written")
        }
        try Checkpoint.save(final, to: output, provenance: provenance)
        // The run finished: the model file holds everything the checkpoint did.
        try? FileManager.default.removeItem(atPath: ckpt)
        if !quiet {
            let va = final.history.validationAccuracy.indices.contains(final.bestEpoch - 1) ? final.history.validationAccuracy[final.bestEpoch - 1] : .nan
            FileHandle.standardError.write(String(format: "train: %@ → %@ (best epoch %d, val_loss %.4f, val_acc %.4f)\n",
                                                  model.rawValue, output, final.bestEpoch, final.bestValidationLoss, va).data(using: .utf8)!)
        }
    }
}
