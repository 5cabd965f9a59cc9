// Model checkpoints in HDF5 (study §4): everything ``TrainingState`` holds — architecture,
// options, weights μ and ρ (current and best), Adam's moments and step, epoch, early-stopping
// state, history — so that a run can resume bit-identically and `predict` can use the model.
//
// Layout (root group): datasets mu, rho, best_mu, best_rho (P) float32; adam_mu_m, adam_mu_v,
// adam_rho_m, adam_rho_v (P) float32; history_{train_loss,train_accuracy,val_loss,val_accuracy}
// (epochs) float64; attributes listed in `save`. The random streams need no saved state: they
// are pure functions of (seed, epoch, step) (see `NetworkRandom`).
import BayesianNetworks
import Foundation

/// Reading and writing `BayesianNetworks.TrainingState` checkpoints (one HDF5 file per state;
/// layout in the file header above).
public enum Checkpoint {
    /// The format tag stored in attribute `format`.
    public static let format = "calo-bnn-checkpoint-1"

    /// Write `state` to `path` atomically (temporary file, then rename).
    public static func save(_ state: TrainingState, to path: String) throws {
        try writeAtomically(to: path) { tmp in
            let f = try HDF5File.create(tmp)
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
                                   ("history_val_loss", h.validationLoss), ("history_val_accuracy", h.validationAccuracy)]
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
            try f.setAttribute("adam_mu_step", Int64(state.adamMu.step))
            try f.setAttribute("adam_rho_step", Int64(state.adamRho.step))
            try f.setAttribute("epochs_completed", Int64(state.epochsCompleted))
            try f.setAttribute("best_validation_loss", state.bestValidationLoss)
            try f.setAttribute("best_epoch", Int64(state.bestEpoch))
            try f.setAttribute("epochs_without_improvement", Int64(state.epochsWithoutImprovement))
            try f.setAttribute("stopped_early", UInt8(state.stoppedEarly ? 1 : 0))
            try f.setAttribute("train_seconds", state.trainingSeconds)
        }
    }

    /// Read a checkpoint. Errors name the file and the dataset or attribute at fault.
    public static func load(from path: String) throws -> TrainingState {
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error("\(path): no such checkpoint") }
        let f = try HDF5File.open(path)
        let tag = (try? f.stringAttribute("format")) ?? ""
        guard tag == format else { throw HDF5Error("\(path): not a calo-bnn checkpoint (attribute 'format' is '\(tag)')") }
        func int(_ name: String) throws -> Int { Int(try f.numericAttribute(name, as: Int64.self)) }
        guard let kind = ModelKind(rawValue: try f.stringAttribute("model")) else {
            throw HDF5Error("\(path): attribute 'model' must be bnn or deterministic")
        }
        var config = NetworkConfig(kind: kind, classes: try int("classes"),
                                   bayesianBias: try f.numericAttribute("bayesian_bias", as: UInt8.self) != 0)
        config.filters = try int("filters")
        config.shardSize = try int("shard_size")
        config.grids = try f.stringAttribute("grids").split(separator: ",").map { g in
            let hw = g.split(separator: "x").compactMap { Int($0) }
            guard hw.count == 2 else { throw HDF5Error("\(path): attribute 'grids' is malformed ('\(g)')") }
            return GridShape(hw[0], hw[1])
        }
        config.initialisation.muStddev = try f.numericAttribute("init_mu_stddev", as: Float.self)
        config.initialisation.rhoMean = try f.numericAttribute("init_rho_mean", as: Float.self)
        config.initialisation.rhoStddev = try f.numericAttribute("init_rho_stddev", as: Float.self)
        var options = TrainingOptions()
        options.seed = try f.numericAttribute("seed", as: UInt64.self)
        options.epochs = try int("epochs")
        options.batchSize = try int("batch_size")
        options.validationFraction = try f.numericAttribute("validation_fraction", as: Double.self)
        options.patience = try int("patience")
        options.learningRate = try f.numericAttribute("learning_rate", as: Float.self)
        let priorName = try f.stringAttribute("prior")
        let net = CaloNetwork(config: config, prior: try priorNamed(priorName), seed: options.seed)
        let p = net.parameterCount
        func vector(_ name: String) throws -> [Float] { try f.read(name, as: Float.self, expected: [p]).values }
        let names = try f.stringAttribute("class_names").split(separator: ",").map(String.init)
        guard names.count == config.classes else {
            throw HDF5Error("\(path): attribute 'class_names' lists \(names.count) classes, 'classes' says \(config.classes)")
        }
        var st = TrainingState(network: net, options: options, classNames: names,
                               preprocessing: try f.stringAttribute("preprocessing"), trainingCount: try int("training_count"))
        st.mu = try vector("mu"); st.rho = try vector("rho")
        st.bestMu = try vector("best_mu"); st.bestRho = try vector("best_rho")
        st.adamMu.m = try vector("adam_mu_m"); st.adamMu.v = try vector("adam_mu_v")
        st.adamRho.m = try vector("adam_rho_m"); st.adamRho.v = try vector("adam_rho_v")
        st.adamMu.step = try int("adam_mu_step"); st.adamRho.step = try int("adam_rho_step")
        st.adamMu.learningRate = options.learningRate; st.adamRho.learningRate = options.learningRate
        st.epochsCompleted = try int("epochs_completed")
        st.bestValidationLoss = try f.numericAttribute("best_validation_loss", as: Double.self)
        st.bestEpoch = try int("best_epoch")
        st.epochsWithoutImprovement = try int("epochs_without_improvement")
        st.stoppedEarly = try f.numericAttribute("stopped_early", as: UInt8.self) != 0
        st.trainingSeconds = (try? f.numericAttribute("train_seconds", as: Double.self)) ?? 0
        func history(_ name: String) throws -> [Double] {
            f.contains(name) ? try f.read(name, as: Double.self, expected: [st.epochsCompleted]).values : []
        }
        st.history.trainLoss = try history("history_train_loss")
        st.history.trainAccuracy = try history("history_train_accuracy")
        st.history.validationLoss = try history("history_val_loss")
        st.history.validationAccuracy = try history("history_val_accuracy")
        for (name, v) in [("mu", st.mu), ("rho", st.rho), ("best_mu", st.bestMu), ("best_rho", st.bestRho)] {
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw HDF5Error("\(path): dataset '\(name)' has a non-finite value at index \(bad)")
            }
        }
        return st
    }
}
