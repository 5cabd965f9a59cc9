// The study's network (study §4): per calorimeter layer a 3×3 'same' convolution with F = 8
// filters + ReLU; flatten; concatenate; dense to the class outputs — every layer Flipout for the
// BNN, plain for the deterministic twin. Parameters live in one flat vector so that Adam, the KL
// term and checkpoints treat them alike. The rest of the class is split by concern:
// NetworkNoise.swift (the random numbers of a pass), ForwardPass.swift (the one forward and
// backward pass every caller uses), Gradients.swift (loss, gradients, KL, evaluation) and
// Prediction.swift (Monte-Carlo prediction).
//
// Shape legend: see NetworkConfig.swift (N examples, F filters, U classes, P parameters).

/// The study's three-branch network with a mean-field Gaussian posterior (or point weights).
///
/// Holds μ and ρ (flat, see ``blocks``) plus workspaces; ``gradients(x:labels:count:noise:nTrain:threads:)``
/// computes ∂(−ELBO/N_train)/∂(μ, ρ) for one minibatch (see ``ELBO``).
public final class CaloNetwork: @unchecked Sendable {
    /// Architecture.
    public let config: NetworkConfig
    /// The prior of the KL term (ignored by the deterministic twin).
    public let prior: any Prior
    /// One convolution per calorimeter layer.
    public let convs: [FlipoutConv2D]
    /// The output layer.
    public let dense: FlipoutDense
    /// The slices of μ and ρ.
    public let blocks: [ParameterBlock]
    /// P, the number of parameters (weights and biases).
    public let parameterCount: Int
    /// Posterior means μ (the weights of the deterministic twin), (P).
    public var mu: [Float] { didSet { flipoutPassKey = nil; plainPassCurrent = false } }
    /// Posterior widths ρ, σ = softplus(ρ), (P); unused where a block is not Bayesian.
    public var rho: [Float] { didSet { flipoutPassKey = nil } }
    /// ∂loss/∂μ of the last ``gradients(x:labels:count:noise:nTrain:threads:)`` call, (P).
    public internal(set) var gradMu: [Float]
    /// ∂loss/∂ρ of the last call, (P); zero outside Bayesian blocks.
    public internal(set) var gradRho: [Float]

    let noise: ParameterNoise
    /// The key whose Flipout pass `noise` holds for the current (μ, ρ), if any.
    var flipoutPassKey: NoiseKey?
    /// Whether the plain pass holds the current μ.
    var plainPassCurrent = false
    /// Per-worker scratch of the per-parameter pass (the KL terms of one chunk).
    let scratch = WorkerScratch()
    var workspaces: [ShardWorkspace] = []
    var shardGradMu: [FloatBuffer] = []
    var shardGradDelta: [FloatBuffer] = []
    /// Per index: 1 if Bayesian and a bias, 2 if Bayesian weight, 0 otherwise.
    let role: [UInt8]

    /// A network with parameters initialised from `seed` (stream `"Init"`):
    /// μ₀ ~ N(0, 0.1²), ρ₀ ~ N(−3, 0.1²) for every block (biases too, as TFP's `loc_initializer`).
    /// [ours] The deterministic twin starts from the same μ₀ distribution (not Keras' Glorot).
    public init(config: NetworkConfig, prior: any Prior = GaussianPrior.standardNormal, seed: UInt64) {
        self.config = config
        self.prior = prior
        let f = config.filters
        convs = config.grids.map { FlipoutConv2D(height: $0.height, width: $0.width, filters: f) }
        dense = FlipoutDense(inputs: config.featureCount, units: config.classes)
        var blocks: [ParameterBlock] = [], off = 0
        let bnn = config.kind == .bnn
        for (i, c) in convs.enumerated() {
            blocks.append(ParameterBlock(name: "conv\(i).kernel", offset: off, count: c.weightCount, isBias: false, isBayesian: bnn))
            off += c.weightCount
            blocks.append(ParameterBlock(name: "conv\(i).bias", offset: off, count: f, isBias: true, isBayesian: bnn && config.bayesianBias))
            off += f
        }
        blocks.append(ParameterBlock(name: "dense.kernel", offset: off, count: dense.weightCount, isBias: false, isBayesian: bnn))
        off += dense.weightCount
        blocks.append(ParameterBlock(name: "dense.bias", offset: off, count: config.classes, isBias: true, isBayesian: bnn && config.bayesianBias))
        off += config.classes
        self.blocks = blocks
        parameterCount = off
        var role = [UInt8](repeating: 0, count: off)
        for b in blocks where b.isBayesian { for i in b.range { role[i] = b.isBias ? 1 : 2 } }
        self.role = role
        let rng = NetworkRandom(seed: seed, salt: "Init")
        let ini = config.initialisation
        mu = [Float](repeating: 0, count: off)
        rho = [Float](repeating: 0, count: off)
        mu.withUnsafeMutableBufferPointer { rng.fillGaussian($0.baseAddress!, count: off, stddev: ini.muStddev) }
        rho.withUnsafeMutableBufferPointer {
            rng.fillGaussian($0.baseAddress!, count: off, mean: ini.rhoMean, stddev: ini.rhoStddev)
        }
        gradMu = [Float](repeating: 0, count: off)
        gradRho = [Float](repeating: 0, count: off)
        noise = ParameterNoise(count: off, dense: dense)
    }

    /// The block called `name`.
    public func block(_ name: String) -> ParameterBlock? { blocks.first { $0.name == name } }

    /// Offsets of branch b's kernel and bias, and of the dense kernel and bias, in μ and ρ.
    func convOffsets(_ b: Int) -> (kernel: Int, bias: Int) { (blocks[2 * b].offset, blocks[2 * b + 1].offset) }
    var denseOffsets: (kernel: Int, bias: Int) { (blocks[2 * convs.count].offset, blocks[2 * convs.count + 1].offset) }

    /// Workspaces for `threads` workers and gradient buffers for `shards` shards.
    func ensureWorkspaces(threads: Int, shards: Int) {
        let s = config.shardSize
        while workspaces.count < threads { workspaces.append(ShardWorkspace(network: self, capacity: s)) }
        while shardGradMu.count < shards {
            shardGradMu.append(FloatBuffer(count: parameterCount)); shardGradDelta.append(FloatBuffer(count: parameterCount))
        }
    }
}

/// Per-worker scratch buffers of doubles, grown on demand and reused across steps.
final class WorkerScratch: @unchecked Sendable {
    private(set) var buffers: [UnsafeMutablePointer<Double>] = []
    private var capacity = 0
    /// At least `workers` buffers of `perWorker` doubles each.
    func ensure(workers: Int, perWorker: Int) {
        if perWorker > capacity {
            for b in buffers { b.deallocate() }
            buffers = []
            capacity = perWorker
        }
        while buffers.count < workers { buffers.append(.allocate(capacity: capacity)) }
    }
    deinit { for b in buffers { b.deallocate() } }
}
