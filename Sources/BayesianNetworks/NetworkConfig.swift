// The study's network, as data (study §4): which model, which shapes, which parameters, and the
// per-pass bookkeeping (losses, noise keys). The network itself is in Network.swift.
//
// Shape legend: N = examples, F = filters, U = classes, P = number of parameters.
//   input cells  (N, 504): layer 0 (3, 96), layer 1 (12, 12), layer 2 (12, 6), row-major
//   features     (N, 4032) = concat over branches of (H, W, F), channels last (Keras' flatten)
//   parameters   μ, ρ (P): [conv0 W (9, F), conv0 b (F), conv1 W, b, conv2 W, b, dense W (4032, U), dense b (U)]

/// Deterministic twin or Bayesian (Flipout) network.
public enum ModelKind: String, Sendable, CaseIterable {
    /// Mean-field Gaussian weights, Flipout layers.
    case bnn
    /// Point weights, the same architecture.
    case deterministic
}

/// One calorimeter layer's cell grid, H × W.
public struct GridShape: Sendable, Equatable {
    /// Rows H and columns W.
    public var height: Int, width: Int
    /// An H × W grid.
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
}

/// The architecture and its options.
public struct NetworkConfig: Sendable, Equatable {
    /// BNN or deterministic twin.
    public var kind: ModelKind
    /// Number of output classes U (10 in the study, 9 with one class left out).
    public var classes: Int
    /// Filters per convolution F (8).
    public var filters: Int = 8
    /// Bayesian biases (sampled once per pass, b = μ_b + σ_b ε_b); TFP's default is deterministic.
    public var bayesianBias: Bool = false
    /// The input branches: CaloGAN's layers (3, 96), (12, 12), (12, 6).
    public var grids: [GridShape] = [GridShape(3, 96), GridShape(12, 12), GridShape(12, 6)]
    /// Posterior initialisation.
    public var initialisation = PosteriorInit()
    /// Examples per shard: the unit of parallel work, fixed so results do not depend on threads.
    public var shardSize: Int = 64

    /// A configuration with the study's defaults.
    public init(kind: ModelKind, classes: Int = 10, bayesianBias: Bool = false) {
        self.kind = kind; self.classes = classes; self.bayesianBias = bayesianBias
    }

    /// Cells per example (504 for CaloGAN).
    public var cellsPerExample: Int { grids.reduce(0) { $0 + $1.height * $1.width } }
    /// Concatenated features per example (4032).
    public var featureCount: Int { filters * cellsPerExample }
}

/// A named slice of the flat parameter vector.
public struct ParameterBlock: Sendable, Equatable {
    /// e.g. `conv0.kernel`, `dense.bias`.
    public var name: String
    /// First index in μ, ρ.
    public var offset: Int
    /// Number of entries.
    public var count: Int
    /// Whether the block is a bias.
    public var isBias: Bool
    /// Whether the block has a posterior width ρ (weights of a BNN; biases only if Bayesian).
    public var isBayesian: Bool
    /// The index range.
    public var range: Range<Int> { offset ..< offset + count }
}

/// Losses and counts of one minibatch (or of a whole evaluation).
public struct BatchResult: Sendable, Equatable {
    /// Σₙ cross-entropy, nats.
    public var crossEntropySum: Double = 0
    /// Number of correctly classified examples (argmax of the logits = label).
    public var correct: Int = 0
    /// Number of examples.
    public var count: Int = 0
    /// KL(q‖p) of all weights (its one-sample estimate for Monte-Carlo priors), nats; 0 for the twin.
    public var kl: Double = 0
    /// Mean cross-entropy over the examples.
    public var meanCrossEntropy: Double { count > 0 ? crossEntropySum / Double(count) : .nan }
    /// Accuracy in [0, 1].
    public var accuracy: Double { count > 0 ? Double(correct) / Double(count) : .nan }
    /// An empty result for `count` examples.
    public init(count: Int = 0) { self.count = count }
    /// The minimised loss for a training set of `nTrain` examples: mean CE + KL / N_train
    /// (``ELBO/minibatchLoss(meanCrossEntropy:kl:nTrain:)``).
    public func loss(nTrain: Int) -> Double { ELBO.minibatchLoss(meanCrossEntropy: meanCrossEntropy, kl: kl, nTrain: nTrain) }
}

/// Which random numbers a pass uses: a pure function of (seed, epoch, step) — see
/// ``NetworkRandom``. `salt` separates training noise from validation noise.
public struct NoiseKey: Sendable, Equatable {
    /// The run's master seed.
    public var seed: UInt64
    /// Epoch index (0-based).
    public var epoch: Int
    /// Step within the epoch (0-based).
    public var step: Int
    /// `"Train"` or `"Validation"`.
    public var salt: String
    /// A key.
    public init(seed: UInt64, epoch: Int, step: Int, salt: String = "Train") {
        self.seed = seed; self.epoch = epoch; self.step = step; self.salt = salt
    }
}
