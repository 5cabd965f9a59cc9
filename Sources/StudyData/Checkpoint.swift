// Model checkpoints in HDF5 (study §4): everything ``TrainingState`` holds — architecture,
// options, weights μ and ρ (current and best), Adam's moments and step, epoch, early-stopping
// state, history — so that a run can resume bit-identically and `predict` can use the model.
//
// Layout (root group): datasets mu, rho, best_mu, best_rho (P) float32; adam_mu_m, adam_mu_v,
// adam_rho_m, adam_rho_v (P) float32; history_{train_loss,train_accuracy,val_loss,val_accuracy,
// kl_per_example} (epochs) float64 (the last absent in files of earlier versions); attributes
// listed in `save`. The random streams need no saved state: they are pure functions of (seed,
// epoch, step) (see `NetworkRandom`).
import BayesianNetworks
import Foundation

/// Reading and writing `BayesianNetworks.TrainingState` checkpoints (one HDF5 file per state;
/// layout in the file header above).
public enum Checkpoint {
    /// The format tag stored in attribute `format`.
    public static let format = "calo-bnn-checkpoint-1"

    /// Write `state` to `path` atomically (temporary file, then rename).
    /// `provenance` adds string attributes (e.g. the training data's identity) beside the state's.
    public static func save(_ state: TrainingState, to path: String, provenance: [String: String] = [:]) throws {
        try writeHDF5Atomically(to: path) { f in
            let p = state.mu.count
            try f.write("mu", state.mu, shape: [p], compress: false)
            try f.write("rho", state.rho, shape: [p], compress: false)
            try f.write("best_mu", state.bestMu, shape: [p], compress: false)
            try f.write("best_rho", state.bestRho, shape: [p], compress: false)
            try f.write("adam_mu_m", state.adamMu.m, shape: [p], compress: false)
            try f.write("adam_mu_v", state.adamMu.v, shape: [p], compress: false)
            try f.write("adam_rho_m", state.adamRho.m, shape: [p], compress: false)
            try f.write("adam_rho_v", state.adamRho.v, shape: [p], compress: false)
            let h = state.history
            for (name, values) in [("history_train_loss", h.trainLoss), ("history_train_accuracy", h.trainAccuracy),
                                   ("history_val_loss", h.validationLoss), ("history_val_accuracy", h.validationAccuracy),
                                   ("history_kl_per_example", h.klPerExample)]
            where !values.isEmpty {
                try f.write(name, values, shape: [values.count], compress: false)
            }
            let c = state.config, o = state.options
            try f.setAttribute("format", format)
            try f.setAttribute("package_version", packageVersion)
            try f.setAttribute("model", c.kind.rawValue)
            try f.setAttribute("classes", Int64(c.classes))
            try f.setAttribute("filters", Int64(c.filters))
            try f.setAttribute("bayesian_bias", UInt8(c.bayesianBias ? 1 : 0))
            try f.setAttribute("grids", c.grids.map { "\($0.height)x\($0.width)" }.joined(separator: ","))
            try f.setAttribute("shard_size", Int64(c.shardSize))
            try f.setAttribute("init_mu_stddev", c.initialisation.muStddev)
            try f.setAttribute("init_rho_mean", c.initialisation.rhoMean)
            try f.setAttribute("init_rho_stddev", c.initialisation.rhoStddev)
            try f.setAttribute("prior", state.priorName)
            try f.setAttribute("class_names", state.classNames.joined(separator: ","))
            try f.setAttribute("preprocessing", state.preprocessing)
            try f.setAttribute("training_count", Int64(state.trainingCount))
            try f.setAttribute("seed", o.seed)
            try f.setAttribute("epochs", Int64(o.epochs))
            try f.setAttribute("batch_size", Int64(o.batchSize))
            try f.setAttribute("validation_fraction", o.validationFraction)
            try f.setAttribute("patience", Int64(o.patience))
            try f.setAttribute("learning_rate", o.learningRate)
            try f.setAttribute("lr_schedule", o.schedule.kind.rawValue)
            try f.setAttribute("warmup_epochs", Int64(o.schedule.warmupEpochs))
            try f.setAttribute("rho_learning_rate_factor", o.rhoLearningRateFactor)
            try f.setAttribute("adam_mu_step", Int64(state.adamMu.step))
            try f.setAttribute("adam_rho_step", Int64(state.adamRho.step))
            try f.setAttribute("epochs_completed", Int64(state.epochsCompleted))
            try f.setAttribute("best_validation_loss", state.bestValidationLoss)
            try f.setAttribute("best_epoch", Int64(state.bestEpoch))
            try f.setAttribute("epochs_without_improvement", Int64(state.epochsWithoutImprovement))
            try f.setAttribute("stopped_early", UInt8(state.stoppedEarly ? 1 : 0))
            try f.setAttribute("train_seconds", state.trainingSeconds)
            for (name, value) in provenance.sorted(by: { $0.key < $1.key }) { try f.setAttribute(name, value) }
        }
    }

    /// Read a checkpoint. Errors name the file and the dataset or attribute at fault; every
    /// attribute is range-checked before it sizes anything (an architecture beyond
    /// ``ArchitectureLimits``, negative counts, a non-finite learning rate, an inconsistent epoch
    /// record are refused).
    public static func load(from path: String) throws -> TrainingState {
        let f = try HDF5File.open(path)
        let tag = (try? f.stringAttribute("format")) ?? ""
        guard tag == format else { throw HDF5Error("\(path): not a calo-bnn checkpoint (attribute 'format' is '\(tag)')") }
        func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int {
            let v = try f.numericAttribute(name, as: Int64.self)
            guard v >= Int64(range.lowerBound), v <= Int64(range.upperBound) else {
                throw HDF5Error("\(path): attribute '\(name)' is \(v), outside \(range.lowerBound)…\(range.upperBound)")
            }
            return Int(v)
        }
        func finite<T: HDF5Scalar & BinaryFloatingPoint>(_ name: String, _ type: T.Type) throws -> T {
            let v = try f.numericAttribute(name, as: T.self)
            guard v.isFinite else { throw HDF5Error("\(path): attribute '\(name)' is not finite") }
            return v
        }
        func flag(_ name: String) throws -> Bool {
            let v = try f.numericAttribute(name, as: UInt8.self)
            guard v <= 1 else { throw HDF5Error("\(path): attribute '\(name)' is \(v), expected 0 or 1") }
            return v == 1
        }
        let many = 0 ... Int(Int32.max)
        guard let kind = ModelKind(rawValue: try f.stringAttribute("model")) else {
            throw HDF5Error("\(path): attribute 'model' must be bnn or deterministic")
        }
        var config = NetworkConfig(kind: kind, classes: try int("classes", ArchitectureLimits.classes),
                                   bayesianBias: try flag("bayesian_bias"))
        config.filters = try int("filters", ArchitectureLimits.filters)
        config.shardSize = try int("shard_size", ArchitectureLimits.shardSize)
        config.grids = try f.stringAttribute("grids").split(separator: ",", omittingEmptySubsequences: false).map { g in
            let hw = g.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard hw.count == 2, let h = hw[0], let w = hw[1],
                  ArchitectureLimits.gridSide.contains(h), ArchitectureLimits.gridSide.contains(w) else {
                throw HDF5Error("\(path): attribute 'grids' is malformed ('\(g)'; expected HxW with sides in \(ArchitectureLimits.gridSide.lowerBound)…\(ArchitectureLimits.gridSide.upperBound))")
            }
            return GridShape(h, w)
        }
        guard ArchitectureLimits.grids.contains(config.grids.count),
              ArchitectureLimits.cellsPerExample.contains(config.cellsPerExample) else {
            throw HDF5Error("\(path): attribute 'grids' describes \(config.grids.count) grids of \(config.cellsPerExample) cells, beyond this build's limits")
        }
        // P ≈ K·F·cells (dense layer) + small terms: bound it before the network allocates.
        let dense = config.classes.multipliedReportingOverflow(by: config.featureCount)
        guard !dense.overflow, ArchitectureLimits.parameters.contains(dense.partialValue) else {
            throw HDF5Error("\(path): the architecture in its attributes needs more than \(ArchitectureLimits.parameters.upperBound) parameters")
        }
        config.initialisation.muStddev = try finite("init_mu_stddev", Float.self)
        config.initialisation.rhoMean = try finite("init_rho_mean", Float.self)
        config.initialisation.rhoStddev = try finite("init_rho_stddev", Float.self)
        var options = TrainingOptions()
        options.seed = try f.numericAttribute("seed", as: UInt64.self)
        options.epochs = try int("epochs", 1 ... Int(Int32.max))
        options.batchSize = try int("batch_size", 1 ... Int(Int32.max))
        options.validationFraction = try finite("validation_fraction", Double.self)
        guard (0 ..< 1).contains(options.validationFraction) else { throw HDF5Error("\(path): attribute 'validation_fraction' is outside [0, 1)") }
        options.patience = try int("patience", 1 ... Int(Int32.max))
        options.learningRate = try finite("learning_rate", Float.self)
        guard options.learningRate > 0 else { throw HDF5Error("\(path): attribute 'learning_rate' must be > 0") }
        // The schedule attributes are absent in files of earlier versions: those ran at a constant rate.
        if let kind = try f.optionalStringAttribute("lr_schedule") {
            guard let k = LearningRateSchedule.Kind(rawValue: kind) else {
                throw HDF5Error("\(path): attribute 'lr_schedule' is '\(kind)' (known: \(LearningRateSchedule.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            options.schedule = LearningRateSchedule(k, warmupEpochs: try int("warmup_epochs", 0 ... Int(Int32.max)))
            if let problem = options.schedule.problem(epochs: options.epochs) { throw HDF5Error("\(path): attributes 'lr_schedule', 'warmup_epochs': \(problem)") }
        }
        if try f.optionalNumericAttribute("rho_learning_rate_factor", as: Float.self) != nil {
            options.rhoLearningRateFactor = try finite("rho_learning_rate_factor", Float.self)
            guard options.rhoLearningRateFactor > 0 else { throw HDF5Error("\(path): attribute 'rho_learning_rate_factor' must be > 0") }
        }
        let priorName = try f.stringAttribute("prior")
        let prior: any Prior
        do { prior = try strictPrior(priorName) } catch { throw HDF5Error("\(path): attribute 'prior': \(error)") }
        let net = CaloNetwork(config: config, prior: prior, seed: options.seed)
        let p = net.parameterCount
        func vector(_ name: String) throws -> [Float] { try f.read(name, as: Float.self, expected: [p]).values }
        let names = try f.stringAttribute("class_names").split(separator: ",").map(String.init)
        guard names.count == config.classes else {
            throw HDF5Error("\(path): attribute 'class_names' lists \(names.count) classes, 'classes' says \(config.classes)")
        }
        guard Set(names).count == names.count else { throw HDF5Error("\(path): attribute 'class_names' repeats a class") }
        var st = TrainingState(network: net, options: options, classNames: names,
                               preprocessing: try f.stringAttribute("preprocessing"), trainingCount: try int("training_count", 1 ... Int(Int32.max)))
        st.mu = try vector("mu"); st.rho = try vector("rho")
        st.bestMu = try vector("best_mu"); st.bestRho = try vector("best_rho")
        st.adamMu.m = try vector("adam_mu_m"); st.adamMu.v = try vector("adam_mu_v")
        st.adamRho.m = try vector("adam_rho_m"); st.adamRho.v = try vector("adam_rho_v")
        st.adamMu.step = try int("adam_mu_step", many); st.adamRho.step = try int("adam_rho_step", many)
        st.adamMu.learningRate = options.learningRate; st.adamRho.learningRate = options.learningRate
        st.epochsCompleted = try int("epochs_completed", many)
        st.bestValidationLoss = try f.numericAttribute("best_validation_loss", as: Double.self)
        st.bestEpoch = try int("best_epoch", 0 ... st.epochsCompleted)
        guard st.bestEpoch == 0 ? st.bestValidationLoss == .infinity : st.bestValidationLoss.isFinite else {
            throw HDF5Error("\(path): attributes 'best_epoch' \(st.bestEpoch) and 'best_validation_loss' \(st.bestValidationLoss) do not fit together")
        }
        st.epochsWithoutImprovement = try int("epochs_without_improvement", 0 ... st.epochsCompleted)
        st.stoppedEarly = try flag("stopped_early")
        st.trainingSeconds = try f.optionalNumericAttribute("train_seconds", as: Double.self) ?? 0
        func history(_ name: String) throws -> [Double] {
            f.contains(name) ? try f.read(name, as: Double.self, expected: [st.epochsCompleted]).values : []
        }
        st.history.trainLoss = try history("history_train_loss")
        st.history.trainAccuracy = try history("history_train_accuracy")
        st.history.validationLoss = try history("history_val_loss")
        st.history.validationAccuracy = try history("history_val_accuracy")
        st.history.klPerExample = try history("history_kl_per_example")   // absent in files of earlier versions
        for (name, v) in [("mu", st.mu), ("rho", st.rho), ("best_mu", st.bestMu), ("best_rho", st.bestRho),
                          ("adam_mu_m", st.adamMu.m), ("adam_mu_v", st.adamMu.v), ("adam_rho_m", st.adamRho.m), ("adam_rho_v", st.adamRho.v)] {
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw HDF5Error("\(path): dataset '\(name)' has a non-finite value at index \(bad)")
            }
        }
        return st
    }

    /// The string attributes `names` of a checkpoint that are present (provenance written by
    /// `save(_:to:provenance:)`), without loading the weights.
    public static func provenance(of path: String, _ names: [String]) throws -> [String: String] {
        let f = try HDF5File.open(path)
        var out: [String: String] = [:]
        for n in names { if let v = try f.optionalStringAttribute(n) { out[n] = v } }
        return out
    }
}

/// What a finished model file records about its training: wall time and the per-epoch history
/// (the cost tables and training curves of §4 and §5 read it here, nowhere else).
public struct TrainingRecord: Sendable, Equatable {
    /// Training wall time, seconds.
    public var seconds: Double
    /// One row per epoch: epoch (from 1), training loss, training accuracy, validation loss,
    /// validation accuracy, KL/N of the training loss (NaN in files of earlier versions).
    public var history: [[Double]]
    /// The epoch whose weights the model keeps (lowest validation loss), and the epochs run.
    public var bestEpoch: Int, epochsRun: Int

    /// The record of `state`.
    public init(_ state: TrainingState) {
        let h = state.history
        let epochs = min(h.trainLoss.count, h.trainAccuracy.count, h.validationLoss.count, h.validationAccuracy.count)
        seconds = state.trainingSeconds
        bestEpoch = state.bestEpoch; epochsRun = state.epochsCompleted
        var rows: [[Double]] = []
        for e in 0 ..< epochs {
            let kl = h.klPerExample.indices.contains(e) ? h.klPerExample[e] : .nan
            let row: [Double] = [Double(e + 1), h.trainLoss[e], h.trainAccuracy[e], h.validationLoss[e], h.validationAccuracy[e], kl]
            rows.append(row)
        }
        history = rows
    }
}
