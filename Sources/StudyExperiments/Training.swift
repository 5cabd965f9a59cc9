// Training one of the study's networks from simulated files: §4's networks of all classes, §5's
// leave-one-out networks and ensemble members. Reads and checks the data, derives the seed
// (``StudySeeds/training(master:removed:member:)``), starts or resumes from a checkpoint written
// after every epoch, and writes the model. A resumed run gives the same bits as an uninterrupted one.
import BayesianNetworks
import Foundation
import StudyData
import StudyReport

/// What a training does with a checkpoint `<output>.ckpt` left by an earlier, unfinished run.
public enum ResumePolicy: Sendable {
    /// Start afresh; an old checkpoint is overwritten after the first epoch.
    case never
    /// Continue from the checkpoint: an error if there is none, or if it was made with other
    /// settings or data (`calobnn train --resume`).
    case required
    /// Continue from the checkpoint if there is one made with the same settings and data, else
    /// start afresh and say why (`calobnn train --resume-if-present`): what `make reproduce` uses,
    /// so that an interrupted run continues its trainings where they stopped. A resumed run gives
    /// the same bits as an uninterrupted one, so this changes how long a step takes, never its result.
    case ifPresent
}

/// An existing checkpoint as a training finds it.
private enum Continuation {
    case missing
    case unreadable(String)
    /// Made with other settings or data: which, as "option old → new".
    case changed(String)
    /// Its state, ready to continue with this run's epochs, threads and verbosity.
    case state(TrainingState)
}

/// One training of the study.
public struct NetworkTraining: Sendable {
    /// Training data (`calobnn simulate`).
    public var data: NamedFile
    /// Validation file for early stopping; nil: `validationFraction` of `data` is held out.
    public var validation: NamedFile?
    /// BNN or deterministic twin.
    public var model: ModelKind
    /// The class left out (§5), or nil (§4).
    public var excludedClass: String?
    /// The master seed; the run's own seed derives from it, the removed class and the member.
    public var seed: UInt64
    /// Deep-ensemble member index (0 = the network itself).
    public var member = 0
    /// Epochs, minibatch, early-stopping patience, Adam learning rate, held-out fraction.
    public var epochs = 50, batch = 128, patience = 5
    /// Adam's (peak) learning rate.
    public var learningRate: Float = 1e-3
    /// How the learning rate moves over the epochs (BayesianNetworks' `LearningRateSchedule`).
    public var schedule = LearningRateSchedule.constant
    /// ρ's learning rate over μ's.
    public var rhoLearningRateFactor: Float = 1
    /// Fraction of `data` held out when no validation file is given.
    public var validationFraction = 0.2
    /// Train on the first this many events of each class only (nil: all; the training-size scan).
    public var eventsPerClass: Int? = nil
    /// The weights' prior (StudyData's `strictPrior` syntax: `normal(σ)`, `mixture(π,σ₁,σ₂)`).
    public var prior = "normal(1.0)"
    /// Bayesian biases too (default: deterministic biases).
    public var bayesianBias = false
    /// The map from cell energies to inputs: the study's, or BayesianNetworks' `Preprocessing.energyNormalised`
    /// (the robustness check without the energy sum).
    public var preprocessing = Preprocessing()
    /// Worker threads (results do not depend on them).
    public var threads = 2
    /// Progress lines on stderr.
    public var verbose = true

    /// A training of `model` on `data` from the master `seed`; the other settings keep the
    /// defaults above until set.
    public init(data: NamedFile, validation: NamedFile?, model: ModelKind, excludedClass: String?, seed: UInt64) {
        self.data = data; self.validation = validation; self.model = model; self.excludedClass = excludedClass; self.seed = seed
    }

    /// Train and write the model to `output`, checkpointing to `output + ".ckpt"` after every
    /// epoch. `resume` says what to do with an existing checkpoint (``ResumePolicy``): a checkpoint
    /// can be continued when no setting but the epochs (not on a cosine schedule), threads and
    /// verbosity (nor the data's content) changed. A diverging run (a non-finite loss or gradient)
    /// stops with an error and writes no model.
    public func run(output: String, resume policy: ResumePolicy) throws {
        let ckpt = output + ".ckpt"
        let dataset = try ExperimentInputs.dataset(data)
        if let excludedClass, !dataset.provenance.classNames.contains(excludedClass) {
            throw InputError("--exclude-class \(excludedClass): not a class of \(data.path) (classes: \(dataset.provenance.classNames.joined(separator: ", ")))")
        }
        let pre = preprocessing
        var inputs: TrainingInputs
        do { inputs = try dataset.trainingInputs(excluding: excludedClass, preprocessing: pre, path: data.path) }
        catch let e as InputError { throw InputError("\(data.name) \(e.description)") }
        if let eventsPerClass { inputs = inputs.firstEvents(perClass: eventsPerClass) }
        // The training file is judged before the validation file is read (an empty training file
        // must be named as such, not as a validation mismatch).
        guard inputs.labels.count >= 2 else {
            throw InputError("\(data.name) \(data.path): \(inputs.labels.count) event(s) to train on\(excludedClass.map { " without \($0)" } ?? ""); need at least 2")
        }
        guard inputs.classNames.count >= 2 else {
            throw InputError("\(data.name) \(data.path): holds only the class \(inputs.classNames.joined())\(excludedClass.map { " besides \($0)" } ?? ""); a classifier needs at least 2")
        }
        guard inputs.classNames.count <= ArchitectureLimits.classes.upperBound else {
            throw InputError("\(data.name) \(data.path): more than \(ArchitectureLimits.classes.upperBound) classes")
        }
        var heldOut: (cells: [Float], labels: [Int32])? = nil
        var validationIdentity = ""
        if let validation {
            let validationSet = try ExperimentInputs.dataset(validation)
            do {
                let v = try validationSet.trainingInputs(excluding: excludedClass, outputs: inputs.classNames,
                                                         preprocessing: pre, path: validation.path)
                guard !v.labels.isEmpty else { throw InputError("\(validation.path): no events of the model's classes") }
                heldOut = (v.cells, v.labels)
            } catch let e as InputError { throw InputError("\(validation.name) \(e.description)") }
            validationIdentity = validationSet.identity
        }
        let provenance = ["training_data_identity": dataset.identity, "validation_data_identity": validationIdentity,
                          "training_data_file": data.path, "validation_data_file": validation?.path ?? ""]
        let removed = excludedClass.flatMap { dataset.provenance.classNames.firstIndex(of: $0) }
        let runSeed = StudySeeds.training(master: seed, removed: removed, member: member)
        let fraction = validation == nil ? validationFraction : 0
        let (cells, labels, names) = (inputs.cells, inputs.labels, inputs.classNames)
        var opt = TrainingOptions()
        opt.epochs = epochs; opt.batchSize = batch; opt.seed = runSeed; opt.validationFraction = fraction
        opt.patience = patience; opt.threads = threads; opt.learningRate = learningRate; opt.verbose = verbose
        opt.schedule = schedule; opt.rhoLearningRateFactor = rhoLearningRateFactor
        let priorModel: any Prior
        do { priorModel = try strictPrior(prior) } catch { throw InputError("--prior: \(error)") }
        // Training events after the split: what a fresh run trains on, and what a checkpoint must match.
        let nTrain = trainValidationSplit(count: labels.count, fraction: fraction, seed: runSeed).train.count
        let fresh = {
            let cfg = NetworkConfig(kind: model, classes: names.count, bayesianBias: bayesianBias)
            let net = CaloNetwork(config: cfg, prior: priorModel, seed: runSeed)
            return TrainingState(network: net, options: opt, classNames: names, preprocessing: pre.name, trainingCount: nTrain)
        }
        /// The checkpoint's state, or why it cannot be continued with these settings.
        func continuation() -> Continuation {
            guard FileManager.default.fileExists(atPath: ckpt) else { return .missing }
            var state: TrainingState
            let saved: [String: String]
            do { state = try Checkpoint.load(from: ckpt); saved = try Checkpoint.provenance(of: ckpt, Array(provenance.keys)) }
            catch { return .unreadable("\(error)") }
            let o = state.options
            // Every setting that shapes the result must be the checkpoint's; only the epochs (to
            // extend or shorten the run), threads and verbosity may change.
            var changed: [String] = []
            func compare(_ option: String, _ old: String, _ new: String) { if old != new { changed.append("\(option) \(old) → \(new)") } }
            compare("--model", state.config.kind.rawValue, model.rawValue)
            compare("classes (--data/--exclude-class)", state.classNames.joined(separator: ","), names.joined(separator: ","))
            compare("seed (--seed/--exclude-class/--member)", "\(o.seed)", "\(runSeed)")
            compare("--batch", "\(o.batchSize)", "\(batch)")
            compare("--validation-fraction (0 with --validation)", "\(o.validationFraction)", "\(fraction)")
            compare("--learning-rate", "\(o.learningRate)", "\(learningRate)")
            compare("--lr-schedule", o.schedule.kind.rawValue, schedule.kind.rawValue)
            compare("--warmup-epochs", "\(o.schedule.warmupEpochs)", "\(schedule.warmupEpochs)")
            compare("--rho-lr-factor", "\(o.rhoLearningRateFactor)", "\(rhoLearningRateFactor)")
            // A cosine's length is the run's: other epochs would change the rates already used.
            if o.schedule.kind == .cosine { compare("--epochs (the length of the cosine schedule)", "\(o.epochs)", "\(epochs)") }
            compare("--prior", state.priorName, priorModel.name)
            compare("--bayesian-bias", "\(state.config.bayesianBias)", "\(bayesianBias)")
            compare("--patience", "\(o.patience)", "\(patience)")
            compare("--inputs", state.preprocessing, pre.name)
            compare("--events-per-class", "\(state.trainingCount)", "\(nTrain)")
            compare("--data (content)", saved["training_data_identity"].map { String($0.prefix(12)) } ?? "unrecorded",
                    String(provenance["training_data_identity"]!.prefix(12)))
            compare("--validation (content)", saved["validation_data_identity"].map { $0.isEmpty ? "none" : String($0.prefix(12)) } ?? "unrecorded",
                    validationIdentity.isEmpty ? "none" : String(validationIdentity.prefix(12)))
            guard changed.isEmpty else { return .changed("\(ckpt) was made with other settings: \(changed.joined(separator: ", "))") }
            state.options.epochs = epochs; state.options.threads = threads; state.options.verbose = verbose
            return .state(state)
        }
        var state: TrainingState
        var resumed = false
        switch policy {
        case .never:
            state = fresh()
        case .required:
            switch continuation() {
            case .state(let s): state = s; resumed = true
            case .missing:
                throw InputError(FileManager.default.fileExists(atPath: output)
                    ? "--resume: nothing to resume: \(output) is a finished model and there is no checkpoint \(ckpt)"
                    : "--resume: nothing to resume: no checkpoint \(ckpt); run without --resume to start training")
            case .unreadable(let why): throw InputError("--resume \(why)")
            case .changed(let why): throw InputError("--resume: \(why); resume with the checkpoint's values or start afresh without --resume")
            }
        case .ifPresent:
            switch continuation() {
            case .state(let s): state = s; resumed = true
            case .missing: state = fresh()
            case .unreadable(let why), .changed(let why):
                // Said even with --quiet: the checkpoint is overwritten after the first epoch.
                ProgressReporter.write("train: starting afresh, not from the checkpoint: \(why)\n")
                state = fresh()
            }
        }
        if resumed && verbose { ProgressReporter.write("train: resuming \(ckpt) after epoch \(state.epochsCompleted)\n") }
        if verbose {
            ProgressReporter.write("train: \(model.rawValue) on \(data.path)\(excludedClass.map { " without \($0)" } ?? "")\(member > 0 ? ", ensemble member \(member)" : ""), seed \(runSeed) (from --seed \(seed))\n")
        }
        let final: TrainingState
        do {
            final = try Training.run(state: state, cells: cells, labels: labels, validation: heldOut) {
                try Checkpoint.save($0, to: ckpt, provenance: provenance)
            }
        } catch let e as TrainingError {
            // A diverged run: its checkpoints would only diverge again. Keep one we resumed from.
            if !resumed { try? FileManager.default.removeItem(atPath: ckpt) }
            throw InputError("\(data.path): \(e.description); \(output) was not written")
        }
        guard final.bestEpoch >= 1 else {
            if !resumed { try? FileManager.default.removeItem(atPath: ckpt) }
            throw InputError("\(data.path): no epoch lowered the validation loss; \(output) was not written")
        }
        try Checkpoint.save(final, to: output, provenance: provenance)
        // The run finished: the model file holds everything the checkpoint did.
        try? FileManager.default.removeItem(atPath: ckpt)
        if verbose {
            let va = final.history.validationAccuracy.indices.contains(final.bestEpoch - 1) ? final.history.validationAccuracy[final.bestEpoch - 1] : .nan
            ProgressReporter.write(String(format: "train: %@ → %@ (best epoch %d, val_loss %.4f, val_acc %.4f)\n",
                                          model.rawValue, output, final.bestEpoch, final.bestValidationLoss, va))
        }
    }
}
