// The study's network (study §4): per calorimeter layer a 3×3 'same' convolution with 8 filters
// + ReLU; flatten; concatenate; dense to the class outputs — every layer Flipout for the BNN,
// plain for the deterministic twin. Parameters live in one flat vector so that Adam, the KL
// term and checkpoints treat them alike.
//
// Shape legend: N = examples, B = minibatch, S = shard (≤ 64 examples), F = 8 filters,
// U = classes, P = number of parameters.
//   input cells  (N, 504): layer 0 (3, 96), layer 1 (12, 12), layer 2 (12, 6), row-major
//   features     (N, 4032) = concat over branches of (H, W, F), channels last (Keras' flatten)
//   logits       (N, U)
//   parameters   μ, ρ (P): [conv0 W (9, F), conv0 b (F), conv1 W, b, conv2 W, b, dense W (4032, U), dense b (U)]
import Foundation

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

/// The per-step random numbers and the noise-derived quantities of the parameters.
final class ParameterNoise {
    let epsilon, sigma, dSigma, delta, forwardBias: FloatBuffer
    init(count: Int) {
        epsilon = FloatBuffer(count: count); sigma = FloatBuffer(count: count); dSigma = FloatBuffer(count: count)
        delta = FloatBuffer(count: count); forwardBias = FloatBuffer(count: count)
    }
}

/// Per-worker scratch for one shard of up to `capacity` examples.
final class ShardWorkspace {
    let conv: [ConvWorkspace]
    let dense: DenseWorkspace
    let features, dFeatures, logits, dLogits: FloatBuffer
    let convSignIn, convSignOut, denseSignIn, denseSignOut: FloatBuffer
    let rng = NetworkRandom(seed: 0)
    init(network: CaloNetwork, capacity s: Int) {
        let cfg = network.config
        conv = network.convs.map { ConvWorkspace(layer: $0, capacity: s, inputGradient: false) }
        dense = DenseWorkspace(layer: network.dense, capacity: s)
        features = FloatBuffer(count: s * cfg.featureCount); dFeatures = FloatBuffer(count: s * cfg.featureCount)
        logits = FloatBuffer(count: s * cfg.classes); dLogits = FloatBuffer(count: s * cfg.classes)
        convSignIn = FloatBuffer(count: s * cfg.grids.count)
        convSignOut = FloatBuffer(count: s * cfg.grids.count * cfg.filters)
        denseSignIn = FloatBuffer(count: s * cfg.featureCount); denseSignOut = FloatBuffer(count: s * cfg.classes)
    }
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
    /// The minimised loss for a training set of `nTrain` examples: mean CE + KL / N_train.
    public func loss(nTrain: Int) -> Double { meanCrossEntropy + kl / Double(max(nTrain, 1)) }
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
    public var mu: [Float]
    /// Posterior widths ρ, σ = softplus(ρ), (P); unused where a block is not Bayesian.
    public var rho: [Float]
    /// ∂loss/∂μ of the last ``gradients(x:labels:count:noise:nTrain:threads:)`` call, (P).
    public private(set) var gradMu: [Float]
    /// ∂loss/∂ρ of the last call, (P); zero outside Bayesian blocks.
    public private(set) var gradRho: [Float]

    let noise: ParameterNoise
    var workspaces: [ShardWorkspace] = []
    var shardGradMu: [FloatBuffer] = []
    var shardGradDelta: [FloatBuffer] = []
    /// Per index: 1 if Bayesian and a bias, 2 if Bayesian weight, 0 otherwise.
    let role: [UInt8]

    /// A network with parameters initialised from `seed` (stream `"Init"`):
    /// μ₀ ~ N(0, 0.1²), ρ₀ ~ N(−3, 0.1²) for every block (biases too, as TFP's `loc_initializer`).
    /// [ours] The deterministic twin starts from the same μ₀ distribution (not Keras' Glorot).
    public init(config: NetworkConfig, prior: any Prior = GaussianPrior.standardNormal, seed: UInt64) {
        BLAS.useSingleThread()
        self.config = config
        self.prior = prior
        let f = config.filters
        convs = config.grids.map { FlipoutConv2D(height: $0.height, width: $0.width, channelsIn: 1, channelsOut: f) }
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
        noise = ParameterNoise(count: off)
    }

    /// The block called `name`.
    public func block(_ name: String) -> ParameterBlock? { blocks.first { $0.name == name } }

    // MARK: Noise of one pass

    /// Fill ε (stream `"Epsilon"`, chunks of 4096 seeded by (seed, salt, epoch, step, chunk)),
    /// σ = softplus(ρ), dσ/dρ, ΔW = σ ∘ ε and the forward biases b = μ_b + ΔW_b.
    /// Deterministic twin: ΔW = 0, b = μ_b.
    func prepareNoise(_ key: NoiseKey?, threads: Int) {
        let n = parameterCount
        let eps = noise.epsilon.pointer, sig = noise.sigma.pointer, ds = noise.dSigma.pointer
        let del = noise.delta.pointer, fb = noise.forwardBias.pointer
        guard let key else {
            // No noise (the twin, or the mean network): the forward biases are μ; ε, σ, ΔW are
            // not read on this path.
            mu.withUnsafeBufferPointer { fb.update(from: $0.baseAddress!, count: n) }
            return
        }
        let saltHash = SeedDerivation.hash(key.salt)
        mu.withUnsafeBufferPointer { muB in
            rho.withUnsafeBufferPointer { rhoB in
                let muP = muB.baseAddress!, rhoP = rhoB.baseAddress!
                role.withUnsafeBufferPointer { roleB in
                    let roleP = roleB.baseAddress!
                    Parallel.forEachChunk(n, chunk: 4096, threads: threads) { range, c in
                        let rng = NetworkRandom(seed: SeedDerivation.seed(key.seed, salt: "Epsilon", saltHash,
                                                                          UInt64(key.epoch), UInt64(key.step), UInt64(c)))
                        rng.fillGaussian(eps + range.lowerBound, count: range.count)
                        for i in range {
                            if roleP[i] != 0 {
                                let (s, d) = Softplus.valueAndDerivative(rhoP[i])
                                sig[i] = s; ds[i] = d; del[i] = s * eps[i]
                            } else {
                                sig[i] = 0; ds[i] = 0; del[i] = 0; eps[i] = 0
                            }
                            fb[i] = muP[i] + del[i]
                        }
                    }
                }
            }
        }
    }

    func ensureWorkspaces(threads: Int, shards: Int) {
        let s = config.shardSize
        while workspaces.count < threads { workspaces.append(ShardWorkspace(network: self, capacity: s)) }
        while shardGradMu.count < shards {
            shardGradMu.append(FloatBuffer(count: parameterCount)); shardGradDelta.append(FloatBuffer(count: parameterCount))
        }
    }

    /// Flipout signs of example `index` of the pass `key`: stream (seed, "FlipoutSigns", salt,
    /// epoch, step, index), drawn in the order conv0 in/out, conv1 in/out, conv2 in/out, dense in/out.
    func drawSigns(_ key: NoiseKey, saltHash: UInt64, index: Int, local e: Int, ws: ShardWorkspace) {
        let cfg = config, nb = cfg.grids.count, f = cfg.filters
        ws.rng.reseed(SeedDerivation.seed(key.seed, salt: "FlipoutSigns", saltHash, UInt64(key.epoch), UInt64(key.step), UInt64(index)))
        for b in 0 ..< nb {
            ws.rng.fillSigns(ws.convSignIn.pointer + e * nb + b, count: 1)
            ws.rng.fillSigns(ws.convSignOut.pointer + (e * nb + b) * f, count: f)
        }
        ws.rng.fillSigns(ws.denseSignIn.pointer + e * cfg.featureCount, count: cfg.featureCount)
        ws.rng.fillSigns(ws.denseSignOut.pointer + e * cfg.classes, count: cfg.classes)
    }

    // MARK: One shard, forward (+ backward)

    /// Forward one shard of n examples (cells (n, 504)) to logits; if `labels`, also the
    /// cross-entropy and, if `backward`, the shard's ∂/∂μ and ∂/∂ΔW into its gradient buffers.
    func runShard(n: Int, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>?, firstIndex: Int, key: NoiseKey?,
                  gradScale: Float, backward: Bool, ws: ShardWorkspace, shard: Int) -> (Double, Int) {
        let cfg = config, nb = cfg.grids.count, f = cfg.filters, fc = cfg.featureCount, cells = cfg.cellsPerExample
        let flipout = cfg.kind == .bnn && key != nil
        let saltHash = SeedDerivation.hash(key?.salt ?? "")
        if flipout, let key { for e in 0 ..< n { drawSigns(key, saltHash: saltHash, index: firstIndex + e, local: e, ws: ws) } }
        return mu.withUnsafeBufferPointer { muB -> (Double, Int) in
            let muP = muB.baseAddress!, del = UnsafePointer(noise.delta.pointer), fb = UnsafePointer(noise.forwardBias.pointer)
            let feat = ws.features.pointer
            // Branches → features (n, 4032), ReLU inside the layer.
            var cellOff = 0, featOff = 0
            for (b, conv) in convs.enumerated() {
                let wOff = blocks[2 * b].offset, bOff = blocks[2 * b + 1].offset
                if flipout {
                    conv.forward(n: n, x: x + cellOff, strideX: cells, mu: muP + wOff, delta: del + wOff, bias: fb + bOff,
                                 signIn: ws.convSignIn.pointer + b, signOut: ws.convSignOut.pointer + b * f,
                                 y: feat + featOff, strideY: fc, relu: true, workspace: ws.conv[b], signStride: nb)
                } else {
                    conv.forwardPlain(n: n, x: x + cellOff, strideX: cells, weight: muP + wOff, bias: fb + bOff,
                                      y: feat + featOff, strideY: fc, relu: true, workspace: ws.conv[b])
                }
                cellOff += conv.height * conv.width
                featOff += conv.outputCount
            }
            let dW = blocks[2 * nb].offset, dB = blocks[2 * nb + 1].offset
            if flipout {
                dense.forward(n: n, x: feat, mu: muP + dW, delta: del + dW, bias: fb + dB, signIn: ws.denseSignIn.pointer,
                              signOut: ws.denseSignOut.pointer, y: ws.logits.pointer, workspace: ws.dense)
            } else {
                dense.forwardPlain(n: n, x: feat, weight: muP + dW, bias: fb + dB, y: ws.logits.pointer)
            }
            guard let labels else { return (0, 0) }
            let (ce, correct) = Kernels.softmaxCrossEntropy(ws.logits.pointer, labels: labels, n: n, classes: cfg.classes,
                                                            gradScale: gradScale, backward ? ws.dLogits.pointer : nil)
            guard backward else { return (ce, correct) }
            let gMu = shardGradMu[shard].pointer, gDel = shardGradDelta[shard].pointer
            let dFeat = ws.dFeatures.pointer
            if flipout {
                dense.backward(n: n, dy: ws.dLogits.pointer, x: feat, mu: muP + dW, delta: del + dW,
                               signIn: ws.denseSignIn.pointer, signOut: ws.denseSignOut.pointer,
                               gradMu: gMu + dW, gradDelta: gDel + dW, gradBias: gMu + dB, dx: dFeat, workspace: ws.dense)
            } else {
                dense.backwardPlain(n: n, dy: ws.dLogits.pointer, x: feat, weight: muP + dW,
                                    gradWeight: gMu + dW, gradBias: gMu + dB, dx: dFeat)
            }
            Kernels.reluBackward(dFeat, output: feat, count: n * fc)
            featOff = 0
            for (b, conv) in convs.enumerated() {
                let wOff = blocks[2 * b].offset, bOff = blocks[2 * b + 1].offset
                if flipout {
                    conv.backward(n: n, dy: dFeat + featOff, strideDY: fc, mu: muP + wOff, delta: del + wOff,
                                  signIn: ws.convSignIn.pointer + b, signOut: ws.convSignOut.pointer + b * f,
                                  gradMu: gMu + wOff, gradDelta: gDel + wOff, gradBias: gMu + bOff, dx: nil,
                                  workspace: ws.conv[b], signStride: nb)
                } else {
                    conv.backwardPlain(n: n, dy: dFeat + featOff, strideDY: fc, weight: muP + wOff,
                                       gradWeight: gMu + wOff, gradBias: gMu + bOff, dx: nil, workspace: ws.conv[b])
                }
                featOff += conv.outputCount
            }
            return (ce, correct)
        }
    }

    // MARK: Gradients of the minibatch loss

    /// The minibatch loss (see ``ELBO``) and its gradient with respect to μ and ρ, stored in
    /// ``gradMu`` and ``gradRho``:
    /// ```
    /// loss = (1/B) Σₙ ℓ(f(xₙ; ŵₙ), yₙ) + KL(q‖p) / N_train,   ŵₙ the Flipout weights of example n
    /// ∂loss/∂μ = Σ_shards ∂CE/∂μ + ∂KL/∂μ / N_train
    /// ∂loss/∂ρ = (Σ_shards ∂CE/∂ΔW) ∘ ε ∘ sigmoid(ρ) + ∂KL/∂σ ∘ sigmoid(ρ) / N_train
    /// ```
    /// For Bayesian biases b = μ_b + σ_b ε_b, so ∂CE/∂ΔW_b = ∂CE/∂μ_b.
    ///
    /// - Parameters:
    ///   - x: preprocessed cells (B, 504) of the minibatch (see ``Preprocessing``).
    ///   - labels: class indices (B), in 0..<``NetworkConfig/classes``.
    ///   - b: B, the number of examples in the minibatch (any B ≥ 1; shards of
    ///     ``NetworkConfig/shardSize``).
    ///   - key: which ε and Flipout signs this pass draws (ignored by the deterministic twin).
    ///   - nTrain: N_train, the size of the training set (weights the KL term).
    ///   - threads: workers (results are identical for any value).
    /// - Returns: Σ cross-entropy, correct count and the KL term of this pass.
    @discardableResult
    public func gradients(x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count b: Int, noise key: NoiseKey,
                          nTrain: Int, threads: Int) -> BatchResult {
        let bnn = config.kind == .bnn
        prepareNoise(bnn ? key : nil, threads: threads)
        let s = config.shardSize, shards = (b + s - 1) / s
        ensureWorkspaces(threads: threads, shards: shards)
        var partial = [(Double, Int)](repeating: (0, 0), count: shards)
        let pKey: NoiseKey? = bnn ? key : nil
        partial.withUnsafeMutableBufferPointer { part in
            let partP = part.baseAddress!
            Parallel.forEachShard(shards, threads: threads) { sh, w in
                let lo = sh * s, n = min(s, b - lo)
                shardGradDelta[sh].fill(0)
                partP[sh] = runShard(n: n, x: x + lo * config.cellsPerExample, labels: labels + lo, firstIndex: lo, key: pKey,
                                     gradScale: 1 / Float(b), backward: true, ws: workspaces[w], shard: sh)
            }
        }
        var result = BatchResult(count: b)
        for (ce, c) in partial { result.crossEntropySum += ce; result.correct += c }
        result.kl = reduceGradients(shards: shards, nTrain: nTrain, threads: threads)
        return result
    }

    /// Sum the shard gradients in shard order, add the KL gradient, chain ΔW → ρ. Returns KL.
    func reduceGradients(shards: Int, nTrain: Int, threads: Int) -> Double {
        let n = parameterCount, chunk = 4096
        let chunks = (n + chunk - 1) / chunk
        var klChunks = [Double](repeating: 0, count: chunks)
        let invN = 1 / Double(max(nTrain, 1))
        let gMuBufs = shardGradMu.prefix(shards).map { UnsafePointer($0.pointer) }
        let gDelBufs = shardGradDelta.prefix(shards).map { UnsafePointer($0.pointer) }
        let eps = noise.epsilon.pointer, sig = noise.sigma.pointer, ds = noise.dSigma.pointer
        // Open the prior's type once so the per-weight KL call is specialised (static dispatch).
        func run<P: Prior>(_ prior: P, _ muP: UnsafePointer<Float>, _ gm: UnsafeMutablePointer<Float>,
                           _ gr: UnsafeMutablePointer<Float>, _ roleP: UnsafePointer<UInt8>, _ klP: UnsafeMutablePointer<Double>) {
            Parallel.forEachChunk(n, chunk: chunk, threads: threads) { range, c in
                var kl = 0.0
                for i in range {
                    var sMu: Float = 0, sDel: Float = 0
                    for k in 0 ..< shards { sMu += gMuBufs[k][i]; sDel += gDelBufs[k][i] }
                    switch roleP[i] {
                    case 0:
                        gm[i] = sMu; gr[i] = 0
                    default:
                        if roleP[i] == 1 { sDel = sMu }  // Bayesian bias: b = μ + Δ
                        let t = prior.klTerm(mu: Double(muP[i]), sigma: Double(sig[i]), epsilon: Double(eps[i]))
                        kl += t.value
                        gm[i] = sMu + Float(t.dMu * invN)
                        gr[i] = (sDel * eps[i] + Float(t.dSigma * invN)) * ds[i]
                    }
                }
                klP[c] = kl
            }
        }
        // The study's Gaussian prior: the same loop in float32 (no double log per weight).
        func runGaussian(_ prior: GaussianPrior, _ muP: UnsafePointer<Float>, _ gm: UnsafeMutablePointer<Float>,
                         _ gr: UnsafeMutablePointer<Float>, _ roleP: UnsafePointer<UInt8>, _ klP: UnsafeMutablePointer<Double>) {
            let invNf = Float(invN)
            Parallel.forEachChunk(n, chunk: chunk, threads: threads) { range, c in
                var kl = 0.0
                for i in range {
                    var sMu: Float = 0, sDel: Float = 0
                    for k in 0 ..< shards { sMu += gMuBufs[k][i]; sDel += gDelBufs[k][i] }
                    if roleP[i] == 0 { gm[i] = sMu; gr[i] = 0; continue }
                    if roleP[i] == 1 { sDel = sMu }
                    let t = prior.klTermFloat(mu: muP[i], sigma: sig[i])
                    kl += Double(t.value)
                    gm[i] = sMu + t.dMu * invNf
                    gr[i] = (sDel * eps[i] + t.dSigma * invNf) * ds[i]
                }
                klP[c] = kl
            }
        }
        mu.withUnsafeBufferPointer { muB in
            gradMu.withUnsafeMutableBufferPointer { gmB in
                gradRho.withUnsafeMutableBufferPointer { grB in
                    role.withUnsafeBufferPointer { roleB in
                        klChunks.withUnsafeMutableBufferPointer { klB in
                            let args = (muB.baseAddress!, gmB.baseAddress!, grB.baseAddress!, roleB.baseAddress!, klB.baseAddress!)
                            if let g = prior as? GaussianPrior { runGaussian(g, args.0, args.1, args.2, args.3, args.4) }
                            else { run(prior, args.0, args.1, args.2, args.3, args.4) }
                        }
                    }
                }
            }
        }
        return klChunks.reduce(0, +)
    }

    /// KL(q‖p) at the current (μ, ρ) with the ε of `key` (exact for closed-form priors).
    public func klDivergence(noise key: NoiseKey = NoiseKey(seed: 0, epoch: 0, step: 0)) -> Double {
        guard config.kind == .bnn else { return 0 }
        prepareNoise(key, threads: 1)
        var kl = 0.0
        for i in 0 ..< parameterCount where role[i] != 0 {
            kl += prior.klTerm(mu: Double(mu[i]), sigma: Double(noise.sigma.pointer[i]), epsilon: Double(noise.epsilon.pointer[i])).value
        }
        return kl
    }

    // MARK: Evaluation without gradients

    /// Cross-entropy and accuracy of `count` examples with one Flipout draw per minibatch of
    /// `batch` (stream `key` with the batch index as step) — the training objective's estimate,
    /// as Keras reports `val_loss` — or with the mean weights μ if `key` is nil. KL is filled in.
    public func evaluate(x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, batch: Int = 1024,
                         noise key: NoiseKey?, threads: Int) -> BatchResult {
        var result = BatchResult(count: count)
        let s = config.shardSize
        var start = 0, step = 0
        let bnn = config.kind == .bnn
        while start < count {
            let b = min(batch, count - start)
            var k = key; k?.step = step
            prepareNoise(bnn ? k : nil, threads: threads)
            let shards = (b + s - 1) / s
            ensureWorkspaces(threads: threads, shards: shards)
            var partial = [(Double, Int)](repeating: (0, 0), count: shards)
            partial.withUnsafeMutableBufferPointer { part in
                let partP = part.baseAddress!
                Parallel.forEachShard(shards, threads: threads) { sh, w in
                    let lo = sh * s, n = min(s, b - lo)
                    partP[sh] = runShard(n: n, x: x + (start + lo) * config.cellsPerExample, labels: labels + start + lo,
                                         firstIndex: lo, key: bnn ? k : nil, gradScale: 0, backward: false,
                                         ws: workspaces[w], shard: sh)
                }
            }
            for (ce, c) in partial { result.crossEntropySum += ce; result.correct += c }
            start += b; step += 1
        }
        result.kl = bnn ? klDivergence(noise: key ?? NoiseKey(seed: 0, epoch: 0, step: 0)) : 0
        return result
    }

    /// Logits (count, U) of `count` examples with the mean weights μ (no noise).
    public func logits(x: [Float], count: Int, threads: Int = 1) -> [Float] {
        prepareNoise(nil, threads: threads)
        let s = config.shardSize, shards = (count + s - 1) / s, u = config.classes
        ensureWorkspaces(threads: threads, shards: shards)
        var out = [Float](repeating: 0, count: count * u)
        x.withUnsafeBufferPointer { xB in
            out.withUnsafeMutableBufferPointer { oB in
                let xP = xB.baseAddress!, oP = oB.baseAddress!
                Parallel.forEachShard(shards, threads: threads) { sh, w in
                    let lo = sh * s, n = min(s, count - lo)
                    _ = runShard(n: n, x: xP + lo * config.cellsPerExample, labels: nil, firstIndex: lo, key: nil,
                                 gradScale: 0, backward: false, ws: workspaces[w], shard: sh)
                    (oP + lo * u).update(from: workspaces[w].logits.pointer, count: n * u)
                }
            }
        }
        return out
    }
}
