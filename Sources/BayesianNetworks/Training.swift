// The training loop of study §4: shuffled minibatches, Adam on (μ, ρ), a validation set,
// early stopping on the validation loss, progress on stderr and resumable checkpoints.
//
// Resume contract: every random number of epoch e, step k is a pure function of
// (seed, e, k) (see ``NetworkRandom``), the split of (seed), the shuffle of (seed, e); the
// state saved after each epoch (``TrainingState``) therefore determines the rest of the run,
// and a resumed run ends with bit-identical weights.
import Foundation
import PortableMath

/// How Adam's learning rate moves over a run, epoch by epoch (constant within an epoch, so that
/// it is a pure function of the epoch and a resumed run takes the same steps).
///
/// With peak rate α, E = ``TrainingOptions/epochs`` and w = ``warmupEpochs``, epoch e = 0 … E − 1 uses
/// ```
/// α(e) = α · (e + 1) / w                         e < w        (linear warm-up)
/// α(e) = α                                       e ≥ w        constant
/// α(e) = α · ½ (1 + cos(π (e − w) / (E − w)))    e ≥ w        cosine
/// ```
/// The cosine is half a period of SGDR without restarts (Loshchilov & Hutter 2017,
/// arXiv:1608.03983): it starts at α and reaches its last, smallest value α · ½(1 − cos(π/(E − w)))
/// in the final epoch. The warm-up is Goyal et al. 2017 (arXiv:1706.02677): a few epochs at a
/// rising rate keep the first steps at a high peak rate from throwing the freshly initialised
/// weights far. The cosine is computed with `PortableMath.sinCosTurns`, so every CPU gets
/// the same bits. Because the cosine's length is E, a run on a cosine schedule cannot be
/// extended or shortened on resume (the rates already used would change).
///
/// Why the study needs it (our choice, measured in <doc:ConvergedTraining>): at a constant 10⁻³
/// the BNN's means and posterior widths move so slowly against the gradient noise that its
/// validation loss still falls after 300 epochs, and early stopping ends the run on a plateau
/// of the constant rate's step noise; on the default profile's data the cosine at peak
/// 1.2·10⁻² with ``TrainingOptions/rhoLearningRateFactor`` 15 ends lower in 80 epochs (a longer
/// cosine lowers it further: the default's BNNs are not converged).
public struct LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The shape after the warm-up.
    public enum Kind: String, Sendable, CaseIterable {
        /// The peak rate α in every epoch after the warm-up.
        case constant
        /// Half a cosine period after the warm-up, falling from α towards 0 (the formula above).
        case cosine
    }
    /// Constant or cosine decay.
    public var kind: Kind
    /// Epochs of linear warm-up w (0: none).
    public var warmupEpochs: Int
    /// A schedule of `kind` after `warmupEpochs` epochs of warm-up.
    public init(_ kind: Kind = .constant, warmupEpochs: Int = 0) { self.kind = kind; self.warmupEpochs = warmupEpochs }
    /// The constant rate of study §4 (Keras' default use of Adam).
    public static let constant = LearningRateSchedule()

    /// `constant`, `cosine`, or either with `+warmup(w)`.
    public var description: String { kind.rawValue + (warmupEpochs > 0 ? "+warmup(\(warmupEpochs))" : "") }

    /// Why this schedule cannot run `epochs` epochs (nil if it can): the warm-up must end before the last epoch.
    public func problem(epochs: Int) -> String? {
        if warmupEpochs < 0 { return "the warm-up must be ≥ 0 epochs (got \(warmupEpochs))" }
        if warmupEpochs > 0 && warmupEpochs >= epochs { return "the warm-up (\(warmupEpochs) epochs) must be shorter than the run (\(epochs) epochs)" }
        return nil
    }

    /// The rate of epoch `epoch` (0-based) of a run of `epochs` epochs at peak rate `peak` (formula above).
    public func rate(epoch e: Int, epochs: Int, peak: Float) -> Float {
        let w = max(warmupEpochs, 0)
        if e < w { return peak * Float(e + 1) / Float(w) }
        switch kind {
        case .constant: return peak
        case .cosine:
            // cos(π p) = cos(2π · p/2), p = (e − w)/(E − w) ∈ [0, 1).
            let p = Float(min(e, epochs - 1) - w) / Float(max(epochs - w, 1))
            let c = PortableMath.sinCosTurns(SIMD8(repeating: p / 2)).cos[0]
            return peak * (0.5 * (1 + c))
        }
    }
}

/// Options of a training run (study §4 defaults).
public struct TrainingOptions: Sendable, Equatable {
    /// Maximum number of epochs.
    public var epochs: Int = 50
    /// Minibatch size B (128).
    public var batchSize: Int = 128
    /// Master seed.
    public var seed: UInt64 = 1
    /// Fraction of the data held out for validation (split by stream `"Split"`).
    public var validationFraction: Double = 0.2
    /// Stop after this many epochs without a lower validation loss.
    public var patience: Int = 5
    /// Worker threads (results do not depend on it).
    public var threads: Int = 2
    /// Adam's (peak) learning rate α.
    public var learningRate: Float = 1e-3
    /// How the learning rate moves over the epochs (default: constant, study §4).
    public var schedule = LearningRateSchedule.constant
    /// ρ's learning rate is this factor times μ's (1: the same, study §4).
    public var rhoLearningRateFactor: Float = 1
    /// Progress lines on stderr.
    public var verbose: Bool = true
    /// The defaults.
    public init() {}
}

/// Per-epoch history.
public struct TrainingHistory: Sendable, Equatable {
    /// Training loss (mean CE + KL/N_train, averaged over the epoch's steps), accuracy.
    public var trainLoss: [Double] = [], trainAccuracy: [Double] = []
    /// Validation loss and accuracy at the end of each epoch.
    public var validationLoss: [Double] = [], validationAccuracy: [Double] = []
    /// The KL term of the training loss, KL/N_train, averaged over the epoch's steps (0 for a
    /// deterministic network): with the cross-entropy it shows whether the posterior still moves.
    public var klPerExample: [Double] = []
    /// Empty history.
    public init() {}
}

/// Everything needed to continue a run or to use its model: architecture, options, weights,
/// optimiser state, progress and early-stopping state. Saved after every epoch.
public struct TrainingState: Sendable {
    /// Architecture.
    public var config: NetworkConfig
    /// The prior's name (see ``priorNamed(_:)``).
    public var priorName: String
    /// Options of the run.
    public var options: TrainingOptions
    /// Class names in output order.
    public var classNames: [String]
    /// The input preprocessing (``Preprocessing/name``).
    public var preprocessing: String
    /// N_train, the size of the training split.
    public var trainingCount: Int
    /// Current posterior means and widths, (P).
    public var mu: [Float], rho: [Float]
    /// Adam's state for μ and for ρ.
    public var adamMu: Adam, adamRho: Adam
    /// Epochs finished.
    public var epochsCompleted: Int = 0
    /// Lowest validation loss so far (+∞ at the start) and the epoch (1-based) that reached it.
    public var bestValidationLoss: Double = .infinity
    /// Epoch of the best validation loss (1-based; 0 before the first epoch).
    public var bestEpoch: Int = 0
    /// Weights at the best validation loss: the model that `predict` uses.
    public var bestMu: [Float], bestRho: [Float]
    /// Epochs since the last improvement.
    public var epochsWithoutImprovement: Int = 0
    /// Whether early stopping ended the run.
    public var stoppedEarly: Bool = false
    /// Wall time spent in ``Training/run(state:cells:labels:validation:prior:checkpoint:)`` so far,
    /// summed over resumed runs, seconds.
    public var trainingSeconds: Double = 0
    /// Per-epoch history.
    public var history = TrainingHistory()

    /// The initial state of a run.
    public init(network: CaloNetwork, options: TrainingOptions, classNames: [String], preprocessing: String, trainingCount: Int) {
        config = network.config; priorName = network.prior.name; self.options = options
        self.classNames = classNames; self.preprocessing = preprocessing; self.trainingCount = trainingCount
        mu = network.mu; rho = network.rho; bestMu = mu; bestRho = rho
        adamMu = Adam(count: mu.count, learningRate: options.learningRate)
        adamRho = Adam(count: mu.count, learningRate: options.learningRate)
    }

    /// The trained model: a network with the best weights.
    ///
    /// - Parameter prior: the prior to attach; nil (the default) rebuilds it from ``priorName``
    ///   with ``priorNamed(_:)``. Pass your own ``Prior`` here if `priorNamed` does not know it
    ///   (its ``Prior/name`` must be ``priorName``). Prediction does not read the prior.
    public func bestNetwork(prior: (any Prior)? = nil) throws -> CaloNetwork {
        if let prior, prior.name != priorName { throw TrainingError("prior \(prior.name) given for a state trained with \(priorName)") }
        let net = CaloNetwork(config: config, prior: try prior ?? priorNamed(priorName), seed: options.seed)
        guard bestMu.count == net.parameterCount, bestRho.count == net.parameterCount else {
            throw TrainingError("checkpoint holds \(bestMu.count) parameters, the architecture needs \(net.parameterCount)")
        }
        net.mu = bestMu; net.rho = bestRho
        return net
    }
}

/// A training-loop error with a one-line message.
public struct TrainingError: Error, CustomStringConvertible {
    /// The message.
    public let description: String
    /// An error saying `message`.
    public init(_ message: String) { description = message }
}

/// The prior stored under `name` in a checkpoint: `normal(σₚ)` or `mixture(π,σ₁,σ₂)`.
public func priorNamed(_ name: String) throws -> any Prior {
    func args(_ prefix: String) -> [Double]? {
        guard name.hasPrefix(prefix + "("), name.hasSuffix(")") else { return nil }
        let inner = name.dropFirst(prefix.count + 1).dropLast()
        let v = inner.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return v
    }
    if let a = args("normal"), a.count == 1 { return GaussianPrior(sigma: a[0]) }
    if let a = args("mixture"), a.count == 3 { return ScaleMixturePrior(pi: a[0], sigma1: a[1], sigma2: a[2]) }
    throw TrainingError("unknown prior '\(name)' (known: normal(σ), mixture(π,σ₁,σ₂))")
}

/// The training/validation split of n examples: a permutation from stream (seed, "Split"),
/// the first ⌊fraction·n⌉ for validation, the rest for training.
public func trainValidationSplit(count n: Int, fraction: Double, seed: UInt64) -> (train: [Int], validation: [Int]) {
    let perm = NetworkRandom(seed: seed, salt: "Split").permutation(n)
    let nVal = min(n - 1, max(0, Int((fraction * Double(n)).rounded())))
    return (Array(perm[nVal...]), Array(perm[..<nVal]))
}

/// Runs the training loop of study §4 on preprocessed data.
public enum Training {
    /// Train (or continue training) `state` on cells (N, 504) and labels (N).
    ///
    /// Per epoch e: permutation of the training split from stream (seed, "Shuffle", e);
    /// minibatches of B (the last one smaller); one Adam step on μ (and ρ) per minibatch with
    /// noise (seed, e, step); then the validation loss (one Flipout draw per batch, stream
    /// "Validation"; training loss if there is no validation split) decides early stopping; then
    /// `checkpoint(state)` — which should write it atomically.
    ///
    /// - Returns: the final state; ``TrainingState/bestNetwork(prior:)`` is the trained model.
    ///
    /// With `validation` (cells (M, 504), labels (M)) given, all N examples train and the
    /// validation set is that one (the study's separate validation file); otherwise a fraction
    /// `options.validationFraction` of the N examples is held out.
    ///
    /// The prior of the KL term is `prior` if given — a user's ``Prior`` that ``priorNamed(_:)``
    /// does not know (see <doc:AddingAPrior>); its ``Prior/name`` must equal the state's
    /// ``TrainingState/priorName`` — and otherwise `priorNamed(state.priorName)`.
    ///
    /// - Throws: ``TrainingError`` for shapes or labels that do not fit the state, a prior
    ///   that is unknown or not the state's, or a non-finite loss or gradient (the run diverged;
    ///   no checkpoint of the diverged epoch is written).
    public static func run(state initial: TrainingState, cells: [Float], labels: [Int32],
                           validation: (cells: [Float], labels: [Int32])? = nil,
                           prior: (any Prior)? = nil,
                           checkpoint: (TrainingState) throws -> Void = { _ in }) throws -> TrainingState {
        var st = initial
        let opt = st.options, cfg = st.config
        // The state (and its checkpoints) name the prior; a different one would silently change the loss.
        if let prior, prior.name != st.priorName { throw TrainingError("prior \(prior.name) given for a state trained with \(st.priorName)") }
        let net = CaloNetwork(config: cfg, prior: try prior ?? priorNamed(st.priorName), seed: opt.seed)
        let cellsPer = cfg.cellsPerExample, n = labels.count
        guard cells.count == n * cellsPer else { throw TrainingError("cells must be (\(n), \(cellsPer)), got \(cells.count) values") }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= cfg.classes }) {
            throw TrainingError("label \(labels[bad]) of example \(bad) outside 0..<\(cfg.classes)")
        }
        guard net.parameterCount == st.mu.count else { throw TrainingError("state has \(st.mu.count) parameters, network \(net.parameterCount)") }
        net.mu = st.mu; net.rho = st.rho
        let split = validation == nil ? trainValidationSplit(count: n, fraction: opt.validationFraction, seed: opt.seed)
            : (train: Array(0 ..< n), validation: [Int]())
        let trainIdx = split.train
        if let v = validation {
            guard v.cells.count == v.labels.count * cellsPer else { throw TrainingError("validation cells must be (\(v.labels.count), \(cellsPer))") }
            if let bad = v.labels.firstIndex(where: { $0 < 0 || Int($0) >= cfg.classes }) {
                throw TrainingError("validation label \(v.labels[bad]) of example \(bad) outside 0..<\(cfg.classes)")
            }
        }
        guard trainIdx.count == st.trainingCount else {
            throw TrainingError("the data give \(trainIdx.count) training examples, the checkpoint was made with \(st.trainingCount)")
        }
        func gather(_ idx: [Int]) -> ([Float], [Int32]) {
            var x = [Float](repeating: 0, count: idx.count * cellsPer), y = [Int32](repeating: 0, count: idx.count)
            for (k, i) in idx.enumerated() {
                for c in 0 ..< cellsPer { x[k * cellsPer + c] = cells[i * cellsPer + c] }
                y[k] = labels[i]
            }
            return (x, y)
        }
        let (xVal, yVal) = validation.map { ($0.cells, $0.labels) } ?? gather(split.validation)
        let valCount = yVal.count
        let nTrain = trainIdx.count, b = opt.batchSize
        let steps = (nTrain + b - 1) / b
        var xBatch = [Float](repeating: 0, count: b * cellsPer), yBatch = [Int32](repeating: 0, count: b)
        let tty = isatty(2) != 0
        var runTimes: [Double] = []
        if opt.verbose {
            log("train: model=\(cfg.kind.rawValue) classes=\(cfg.classes) N_train=\(nTrain) N_val=\(valCount) batch=\(b) seed=\(opt.seed) threads=\(opt.threads) lr=\(opt.learningRate) schedule=\(opt.schedule)\(opt.rhoLearningRateFactor == 1 ? "" : " rho_lr_factor=\(opt.rhoLearningRateFactor)") prior=\(st.priorName) preprocessing=\(st.preprocessing) kernels=\(KernelSet.active.rawValue)")
        }
        if let problem = opt.schedule.problem(epochs: opt.epochs) { throw TrainingError("learning-rate schedule \(opt.schedule): \(problem)") }
        guard opt.rhoLearningRateFactor.isFinite, opt.rhoLearningRateFactor > 0 else {
            throw TrainingError("the learning-rate factor of ρ must be a finite number > 0 (got \(opt.rhoLearningRateFactor))")
        }
        var epoch = st.epochsCompleted
        while epoch < opt.epochs && !st.stoppedEarly {
            let t0 = Date()
            // The epoch's rates: a pure function of the epoch (the checkpoint need not hold them).
            let rate = opt.schedule.rate(epoch: epoch, epochs: opt.epochs, peak: opt.learningRate)
            st.adamMu.learningRate = rate; st.adamRho.learningRate = rate * opt.rhoLearningRateFactor
            let perm = NetworkRandom(seed: opt.seed, salt: "Shuffle", UInt64(epoch)).permutation(nTrain)
            var ceSum = 0.0, correct = 0, klSum = 0.0
            for step in 0 ..< steps {
                let lo = step * b, m = min(b, nTrain - lo)
                xBatch.withUnsafeMutableBufferPointer { xb in
                    cells.withUnsafeBufferPointer { cb in
                        for k in 0 ..< m {
                            let i = trainIdx[perm[lo + k]]
                            (xb.baseAddress! + k * cellsPer).update(from: cb.baseAddress! + i * cellsPer, count: cellsPer)
                            yBatch[k] = labels[i]
                        }
                    }
                }
                // Gradient and Adam step in one pass; it also prepares the next step's weight noise.
                let nextNoise = step + 1 < steps ? NoiseKey(seed: opt.seed, epoch: epoch, step: step + 1) : nil
                let (r, gradientFinite) = xBatch.withUnsafeBufferPointer { xb in
                    yBatch.withUnsafeBufferPointer { yb in
                        net.trainingStep(x: xb.baseAddress!, labels: yb.baseAddress!, count: m,
                                         noise: NoiseKey(seed: opt.seed, epoch: epoch, step: step), nextNoise: nextNoise,
                                         nTrain: nTrain, threads: opt.threads, adamMu: &st.adamMu, adamRho: &st.adamRho)
                    }
                }
                // A diverged step (learning rate too high, prior too narrow) would poison every weight: stop here.
                guard r.crossEntropySum.isFinite, r.kl.isFinite, gradientFinite else {
                    throw TrainingError("training diverged at epoch \(epoch + 1), step \(step + 1): the loss or its gradient is not finite (lower the learning rate or widen the prior)")
                }
                ceSum += r.crossEntropySum; correct += r.correct; klSum += r.kl * Double(m)
                if opt.verbose && tty && (step % 20 == 19 || step == steps - 1) {
                    let dt = Date().timeIntervalSince(t0), done = lo + m
                    let loss = ceSum / Double(done) + klSum / Double(done) / Double(nTrain)
                    FileHandle.standardError.write(String(format: "\repoch %d/%d  step %d/%d  loss %.4f  acc %.3f  %.0f samples/s   ",
                        epoch + 1, opt.epochs, step + 1, steps, loss, Double(correct) / Double(done), Double(done) / dt).data(using: .utf8)!)
                }
            }
            let trainLoss = ceSum / Double(nTrain) + klSum / Double(nTrain) / Double(nTrain)
            let trainAcc = Double(correct) / Double(nTrain)
            var valLoss = trainLoss, valAcc = trainAcc
            if valCount > 0 {
                let v = xVal.withUnsafeBufferPointer { xb in
                    yVal.withUnsafeBufferPointer { yb in
                        net.evaluate(x: xb.baseAddress!, labels: yb.baseAddress!, count: valCount,
                                     noise: NoiseKey(seed: opt.seed, epoch: epoch, step: 0, salt: "Validation"), threads: opt.threads)
                    }
                }
                valLoss = v.loss(nTrain: nTrain); valAcc = v.accuracy
            }
            guard valLoss.isFinite else {
                throw TrainingError("training diverged at epoch \(epoch + 1): the validation loss is not finite (lower the learning rate or widen the prior)")
            }
            st.history.trainLoss.append(trainLoss); st.history.trainAccuracy.append(trainAcc)
            st.history.validationLoss.append(valLoss); st.history.validationAccuracy.append(valAcc)
            st.history.klPerExample.append(klSum / Double(nTrain) / Double(nTrain))
            st.mu = net.mu; st.rho = net.rho
            st.epochsCompleted = epoch + 1
            if valLoss < st.bestValidationLoss {
                st.bestValidationLoss = valLoss; st.bestEpoch = epoch + 1
                st.bestMu = net.mu; st.bestRho = net.rho; st.epochsWithoutImprovement = 0
            } else {
                st.epochsWithoutImprovement += 1
                if st.epochsWithoutImprovement >= opt.patience { st.stoppedEarly = true }
            }
            let dt = Date().timeIntervalSince(t0)
            runTimes.append(dt)
            st.trainingSeconds += dt
            if opt.verbose {
                let eta = Double(opt.epochs - epoch - 1) * (runTimes.reduce(0, +) / Double(runTimes.count))
                log(String(format: "%@epoch %d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  %.0f samples/s  %.1f s  ETA %@%@",
                           tty ? "\r" : "", epoch + 1, opt.epochs, trainLoss, trainAcc, valLoss, valAcc, Double(nTrain) / dt, dt,
                           st.stoppedEarly ? "0 s" : formatDuration(eta),
                           st.stoppedEarly ? "  (early stop: best epoch \(st.bestEpoch))" : ""))
            }
            try checkpoint(st)
            epoch += 1
        }
        return st
    }

    static func log(_ line: String) { FileHandle.standardError.write((line + "\n").data(using: .utf8)!) }

    static func formatDuration(_ s: Double) -> String {
        s < 90 ? String(format: "%.0f s", s) : s < 5400 ? String(format: "%.1f min", s / 60) : String(format: "%.1f h", s / 3600)
    }
}
