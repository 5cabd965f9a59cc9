// `calobnn train`: train the study's BNN or its deterministic twin on a simulated HDF5 file
// (study §4; §5 with --exclude-class). Parsing here; the run is StudyExperiments' `NetworkTraining`.
import ArgumentParser
import BayesianNetworks
import Foundation
import StudyData
import StudyExperiments

/// The network inputs' scaling.
enum InputScaling: String, ExpressibleByArgument, CaseIterable { case log, normalised }

extension LearningRateSchedule.Kind: ExpressibleByArgument {}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the study's Bayesian (Flipout) network or its deterministic twin on a simulated HDF5 file.",
        discussion: """
        Writes a checkpoint after every epoch to <output>.ckpt (atomically) and the model to <output> at the end. \
        --resume continues from the checkpoint; the result is bit-identical to an uninterrupted run. It is an error \
        if there is no checkpoint, or if any setting but --epochs (fixed too on a cosine schedule: it sets the schedule's length), --threads and --quiet (or the data) changed. \
        --resume-if-present continues from a checkpoint that --resume would accept and otherwise starts afresh, saying why \
        (what `make reproduce` uses, so that an interrupted run continues its trainings where they stopped). \
        A diverging run (a non-finite loss or gradient) stops with an error and writes no model. \
        With --exclude-class or --member the run's seed derives from (--seed, removed class, member).

        Examples:
          calobnn train --data train.h5 --validation val.h5 --model bnn --seed 1001 -o bnn.h5
          calobnn train --data train.h5 --validation val.h5 --model deterministic --exclude-class jpsi_ee --member 2 --seed 2000 -o ens2.h5
        """)

    @Option(help: "Input HDF5 file in CaloGAN layout with labels (from `calobnn simulate`).")
    var data: String
    @Option(help: "Model: bnn (Flipout, mean-field Gaussian weights) or deterministic (the twin).")
    var model: ModelKind = .bnn
    @Option(help: "Leave this class out of training (anomaly-detection runs, study §5).")
    var excludeClass: String?
    @Option(parsing: .unconditional, help: "Maximum number of epochs.")
    var epochs: Int = 50
    @Option(parsing: .unconditional, help: "Minibatch size.")
    var batch: Int = 128
    @Option(parsing: .unconditional, help: "Master seed: initialisation, split, shuffling and weight noise derive from it by named salts.")
    var seed: UInt64
    @Option(help: "Validation file (same classes) for early stopping; without it a fraction of --data is held out.")
    var validation: String?
    @Option(parsing: .unconditional, help: "Fraction of the events held out for validation when no --validation file is given.")
    var validationFraction: Double = 0.2
    @Option(name: .customLong("events-per-class"), parsing: .unconditional, help: "Train on the first N events of each class only (the training-size scan; default: all).")
    var eventsPerClass: Int?
    @Option(parsing: .unconditional, help: "Deep-ensemble member index (0 = the twin itself): members differ only by their derived seed.")
    var member: Int = 0
    @Option(parsing: .unconditional, help: "Stop after this many epochs without a lower validation loss.")
    var patience: Int = 5
    @Option(parsing: .unconditional, help: "Worker threads (results are identical for any value).")
    var threads: Int = 2
    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var learningRate: Float = 1e-3
    @Option(help: "Learning-rate schedule after the warm-up: constant (study §4) or cosine (a half cosine from --learning-rate down to 0 at --epochs).")
    var lrSchedule: LearningRateSchedule.Kind = .constant
    @Option(parsing: .unconditional, help: "Epochs of linear warm-up to --learning-rate (0: none).")
    var warmupEpochs: Int = 0
    @Option(name: .customLong("rho-lr-factor"), parsing: .unconditional, help: "The learning rate of the posterior widths ρ is this factor times that of the means μ.")
    var rhoLrFactor: Float = 1
    @Option(parsing: .unconditional, help: "Prior of the weights: normal(σ) or mixture(π,σ₁,σ₂).")
    var prior: String = "normal(1.0)"
    @Option(help: "Network inputs: log (the study's: signed log of the cell energies) or normalised (each event first rescaled to 20 GeV in total: the robustness check without the energy sum).")
    var inputs: InputScaling = .log
    @Flag(help: "Make the biases Bayesian too (default: deterministic biases, as TFP).")
    var bayesianBias = false
    @Flag(help: "Continue from <output>.ckpt (an error if there is none, or if a setting changed).")
    var resume = false
    @Flag(help: "Continue from <output>.ckpt if there is one made with these settings and data; else start afresh, saying why.")
    var resumeIfPresent = false
    @Flag(help: "No progress lines on stderr.")
    var quiet = false
    @Option(name: [.short, .customLong("output")], help: "Model file to write (HDF5).")
    var output: String

    /// The largest minibatch: its inputs alone take batch × 504 floats, and the network's
    /// per-example work space grows with it.
    static let batchLimit = 65_536

    func validate() throws {
        guard (1 ... 1_000_000).contains(epochs) else { throw ValidationError("--epochs must be in 1…1000000 (got \(epochs))") }
        guard (1 ... Train.batchLimit).contains(batch) else { throw ValidationError("--batch must be in 1…\(Train.batchLimit) (got \(batch))") }
        guard (0 ..< 1).contains(validationFraction) else { throw ValidationError("--validation-fraction must be in [0, 1) (got \(validationFraction))") }
        guard patience >= 1 else { throw ValidationError("--patience must be ≥ 1 (got \(patience))") }
        try checkThreads(threads)
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--learning-rate must be a finite number > 0 (got \(learningRate))") }
        guard warmupEpochs >= 0 else { throw ValidationError("--warmup-epochs must be ≥ 0 (got \(warmupEpochs))") }
        if let problem = LearningRateSchedule(lrSchedule, warmupEpochs: warmupEpochs).problem(epochs: epochs) { throw ValidationError("--warmup-epochs: \(problem)") }
        guard rhoLrFactor.isFinite, rhoLrFactor > 0 else { throw ValidationError("--rho-lr-factor must be a finite number > 0 (got \(rhoLrFactor))") }
        if let eventsPerClass { guard eventsPerClass >= 1 else { throw ValidationError("--events-per-class must be ≥ 1 (got \(eventsPerClass))") } }
        guard (0 ... 1_000_000).contains(member) else { throw ValidationError("--member must be in 0…1000000 (got \(member))") }
        do { _ = try strictPrior(prior) } catch { throw ValidationError("--prior: \(error)") }
        guard !(resume && resumeIfPresent) else { throw ValidationError("--resume and --resume-if-present exclude each other (--resume insists on the checkpoint)") }
    }

    func run() throws {
        let inputFiles = [("--data", data)] + (validation.map { [("--validation", $0)] } ?? [])
        try checkOutput(output, inputs: inputFiles)
        try checkOutput(output + ".ckpt", option: "-o (its checkpoint)", inputs: inputFiles)
        var training = NetworkTraining(data: NamedFile("--data", data), validation: validation.map { NamedFile("--validation", $0) },
                                       model: model, excludedClass: excludeClass, seed: seed)
        training.member = member; training.epochs = epochs; training.batch = batch; training.patience = patience
        training.schedule = LearningRateSchedule(lrSchedule, warmupEpochs: warmupEpochs); training.rhoLearningRateFactor = rhoLrFactor
        training.learningRate = learningRate; training.validationFraction = validationFraction; training.prior = prior
        training.bayesianBias = bayesianBias; training.threads = threads; training.verbose = !quiet
        training.preprocessing = inputs == .log ? Preprocessing() : .energyNormalised
        training.eventsPerClass = eventsPerClass
        try training.run(output: output, resume: resume ? .required : resumeIfPresent ? .ifPresent : .never)
    }
}
