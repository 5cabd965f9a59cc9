// A dense autoencoder on the three calorimeter layer images: the reconstruction-error anomaly
// detector of "beyond the talk" (Paper §8). Trained on the known classes only, it reconstructs
// events like them well and other events worse (Hinton & Salakhutdinov 2006, Science 313, 504;
// in collider physics Farina, Nakai & Shih 2020, arXiv:1808.08992, and Heimel et al. 2019,
// arXiv:1808.08979). Forward, hand-derived backward, Adam training and scoring — no BLAS, no libm.
//
// Shapes: N = events, B = minibatch, S = events per shard (16), D = input cells (504 = 3×96 +
// 12×12 + 12×6), H = hidden units (32), P = D·H + H + H·D + D parameters.
//
// Reproducibility contract (as the Bayesian networks'): every float operation is a plain IEEE
// add, multiply or subtract in the order written here (this target is compiled for the baseline
// instruction set and Swift never fuses or reassociates), every reduction over events runs over
// fixed shards of S events whose partial sums are added in shard order, and every random number
// comes from a GSL taus2 stream of (seed, salt, index). The same seed gives the same bytes for
// any thread count and on any x86-64 CPU.

/// A dense autoencoder x ↦ y with one ReLU bottleneck, its mean-squared reconstruction error as
/// the loss and as the anomaly score.
///
/// ```
/// a = W₁ᵀx + b₁ (H),   h = max(a, 0),   y = W₂ᵀh + b₂ (D)
/// ℓ(x) = (1/D) Σₖ (yₖ − xₖ)²          ← the loss per event and the anomaly score
/// ```
/// Our choices, and why: a *dense* network, because the three layers have different cell sizes
/// (3×96, 12×12, 12×6) and what separates the classes is as much their longitudinal share
/// (which layer holds the energy) as the lateral shape — a dense map sees the correlations across
/// layers at once, where a convolutional one would need three branches and upsampling for the
/// same; H = 32 hidden units, a bottleneck 16× narrower than the input, so the network cannot learn
/// the identity and must keep what the known showers share (with H = 32 a training of the quick
/// profile takes about a second); a linear output, because the preprocessed cells
/// (``Preprocessing``) are signed and O(1); He initialisation, W ~ N(0, 2/fan-in), biases b₁ = 0
/// and b₂ = the training set's mean input, so training starts from the mean image.
public final class Autoencoder: @unchecked Sendable {
    /// D, the input cells.
    public let inputs: Int
    /// H, the hidden units.
    public let hidden: Int
    /// The parameters θ = [W₁ (D×H, row i = input cell i) | b₁ (H) | W₂ (H×D, row j = hidden unit j) | b₂ (D)].
    public var theta: [Float]

    /// The study's hidden width (our choice, see the type's documentation).
    public static let defaultHidden = 32
    /// Events per shard: the fixed unit of the gradient's reductions (independent of the thread count).
    public static let shardSize = 16

    /// P, the number of parameters.
    public var parameterCount: Int { Autoencoder.parameterCount(inputs: inputs, hidden: hidden) }
    static func parameterCount(inputs d: Int, hidden h: Int) -> Int { d * h + h + h * d + d }

    /// A network with given parameters (P values, the layout of ``theta``).
    public init(inputs: Int, hidden: Int, theta: [Float]) {
        precondition(theta.count == Autoencoder.parameterCount(inputs: inputs, hidden: hidden))
        self.inputs = inputs; self.hidden = hidden; self.theta = theta
    }

    /// He initialisation from stream (seed, "AutoencoderInit"): W₁ ~ N(0, 2/D), then W₂ ~ N(0, 2/H),
    /// from one stream in that order; b₁ = 0; b₂ = `outputBias` (D values, e.g. the mean
    /// training input) or 0.
    public convenience init(inputs d: Int, hidden h: Int, seed: UInt64, outputBias: [Float]? = nil) {
        var theta = [Float](repeating: 0, count: Autoencoder.parameterCount(inputs: d, hidden: h))
        let rng = NetworkRandom(seed: seed, salt: "AutoencoderInit")
        theta.withUnsafeMutableBufferPointer { t in
            rng.fillGaussian(t.baseAddress!, count: d * h, stddev: (2 / Float(d)).squareRoot())
            rng.fillGaussian(t.baseAddress! + d * h + h, count: h * d, stddev: (2 / Float(h)).squareRoot())
        }
        if let outputBias {
            precondition(outputBias.count == d)
            for k in 0 ..< d { theta[d * h + h + h * d + k] = outputBias[k] }
        }
        self.init(inputs: d, hidden: h, theta: theta)
    }

    // ---- one event, forward and backward (every public entry point goes through these) ---------

    /// Forward pass of one event x (D) with parameters `t`: h (H) into `hOut`, y (D) into `yOut`.
    /// Sums run over input cells i (then hidden units j) in increasing order, one vector add per
    /// term (`a += xᵢ · W₁[i, :]`); a zero xᵢ (an empty cell) or hⱼ (an inactive unit) adds
    /// exactly nothing and is skipped — most cells of a shower image are empty.
    @inline(__always)
    static func forward(x: UnsafePointer<Float>, theta t: UnsafePointer<Float>, d: Int, h: Int,
                        hOut: UnsafeMutablePointer<Float>, yOut: UnsafeMutablePointer<Float>) {
        let w1 = t, b1 = t + d * h, w2 = b1 + h, b2 = w2 + h * d
        hOut.update(from: b1, count: h)
        for i in 0 ..< d {
            let xi = x[i]
            if xi == 0 { continue }
            let row = w1 + i * h
            for j in 0 ..< h { hOut[j] += xi * row[j] }
        }
        yOut.update(from: b2, count: d)
        for j in 0 ..< h {
            // ReLU; `> 0` also maps a NaN to 0 — the loss check of the training loop catches it.
            let hj: Float = hOut[j] > 0 ? hOut[j] : 0
            hOut[j] = hj
            if hj == 0 { continue }
            let row = w2 + j * d
            for k in 0 ..< d { yOut[k] += hj * row[k] }
        }
    }

    /// Backward pass of one event, added to the gradient `g` (P, layout of ``theta``), given its
    /// forward pass (h, y); `y` is overwritten with δ and `gamma` (H) is scratch. With c = 2/(B·D):
    /// ```
    /// δₖ = ∂L/∂yₖ = c (yₖ − xₖ)                     since L = (1/B) Σₙ (1/D) Σₖ (yₖ − xₖ)²
    /// ∂L/∂b₂ += δ,           ∂L/∂W₂[j, :] += hⱼ δ
    /// γⱼ = ∂L/∂aⱼ = 1[aⱼ > 0] Σₖ W₂[j, k] δₖ      (h = max(a, 0): hⱼ > 0 ⇔ aⱼ > 0)
    /// ∂L/∂b₁ += γ,           ∂L/∂W₁[i, :] += xᵢ γ
    /// ```
    /// The dot product Σₖ W₂[j, k] δₖ runs on eight lanes (lane l sums k ≡ l mod 8 in increasing k),
    /// then the lanes pairwise ((0+1)+(2+3))+((4+5)+(6+7)), then the remaining k < D one by one.
    @inline(__always)
    static func backward(x: UnsafePointer<Float>, theta t: UnsafePointer<Float>, d: Int, h: Int, c: Float,
                         hidden hv: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, gamma: UnsafeMutablePointer<Float>,
                         gradient g: UnsafeMutablePointer<Float>) {
        let w2 = t + d * h + h
        let gW1 = g, gb1 = g + d * h, gW2 = gb1 + h, gb2 = gW2 + h * d
        for k in 0 ..< d { y[k] = c * (y[k] - x[k]) }
        for k in 0 ..< d { gb2[k] += y[k] }
        for j in 0 ..< h {
            let hj = hv[j]
            guard hj > 0 else { gamma[j] = 0; continue }
            let grow = gW2 + j * d, row = w2 + j * d
            for k in 0 ..< d { grow[k] += hj * y[k] }
            var acc = SIMD8<Float>()
            var k = 0
            while k + 8 <= d {
                acc += UnsafeRawPointer(row + k).loadUnaligned(as: SIMD8<Float>.self)
                    * UnsafeRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
                k += 8
            }
            var s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
            while k < d { s += row[k] * y[k]; k += 1 }
            gamma[j] = s
        }
        for j in 0 ..< h { gb1[j] += gamma[j] }
        for i in 0 ..< d {
            let xi = x[i]
            if xi == 0 { continue }
            let grow = gW1 + i * h
            for j in 0 ..< h { grow[j] += xi * gamma[j] }
        }
    }

    // ---- batches ---------------------------------------------------------------------------

    /// The mean loss L = (1/B) Σₙ ℓ(xₙ) of the B = `count` events at `x` (B × D) and its gradient
    /// ∂L/∂θ (P). Events are cut into shards of ``shardSize``; each shard sums its events'
    /// gradients in event order into its own buffer, and the shards are added in shard order,
    /// so `threads` cannot change a bit. The loss is summed the same way, in double precision.
    public func lossAndGradient(x: UnsafePointer<Float>, count b: Int, threads: Int) -> (loss: Double, gradient: [Float]) {
        var g = [Float](repeating: 0, count: parameterCount)
        let loss = g.withUnsafeMutableBufferPointer { gradientInto(x: x, count: b, threads: threads, gradient: $0.baseAddress!) }
        return (loss, g)
    }

    /// ``lossAndGradient(x:count:threads:)`` into `gradient` (P, overwritten); returns L.
    func gradientInto(x: UnsafePointer<Float>, count b: Int, threads: Int, gradient: UnsafeMutablePointer<Float>) -> Double {
        let d = inputs, h = hidden, p = parameterCount, s = Autoencoder.shardSize
        let shards = (b + s - 1) / s
        let c = 2 / (Float(b) * Float(d))
        // Per shard: its gradient (P), its loss; scratch h (H), y (D), γ (H).
        let stride = p + 2 * h + d
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: shards * stride)
        defer { buffer.deallocate() }
        var losses = [Double](repeating: 0, count: shards)
        theta.withUnsafeBufferPointer { tb in
            losses.withUnsafeMutableBufferPointer { lb in
                let t = tb.baseAddress!, lp = lb.baseAddress!
                Parallel.forEachShard(shards, threads: threads) { shard, _ in
                    let g = buffer + shard * stride, hv = g + p, y = hv + h, gamma = y + d
                    g.initialize(repeating: 0, count: p)
                    var sum = 0.0
                    for n in shard * s ..< min(b, (shard + 1) * s) {
                        let xn = x + n * d
                        Autoencoder.forward(x: xn, theta: t, d: d, h: h, hOut: hv, yOut: y)
                        sum += Autoencoder.squaredError(x: xn, y: y, d: d)
                        Autoencoder.backward(x: xn, theta: t, d: d, h: h, c: c, hidden: hv, y: y, gamma: gamma, gradient: g)
                    }
                    lp[shard] = sum
                }
            }
        }
        // Shards in shard order; chunks of parameters in parallel (elementwise, any chunking).
        Parallel.forEachChunk(p, chunk: 4096, threads: threads) { range, _ in
            for i in range { gradient[i] = buffer[i] }
            for shard in 1 ..< max(shards, 1) {
                let g = buffer + shard * stride
                for i in range { gradient[i] += g[i] }
            }
        }
        var total = 0.0
        for l in losses { total += l }
        return total / (Double(b) * Double(d))
    }

    /// Σₖ (yₖ − xₖ)², each difference in single, the squares and the sum in double precision, in k order.
    @inline(__always)
    static func squaredError(x: UnsafePointer<Float>, y: UnsafePointer<Float>, d: Int) -> Double {
        var sum = 0.0
        for k in 0 ..< d {
            let r = Double(y[k] - x[k])
            sum += r * r
        }
        return sum
    }

    /// The reconstruction error ℓ(x) = (1/D) Σₖ (yₖ − xₖ)² of each of the `count` events of `x`
    /// (N × D): the anomaly score. Events are independent, so any thread count gives the same values.
    public func reconstructionErrors(x: [Float], count n: Int, threads: Int) -> [Double] {
        precondition(x.count == n * inputs)
        let d = inputs, h = hidden
        var out = [Double](repeating: 0, count: n)
        theta.withUnsafeBufferPointer { tb in
            x.withUnsafeBufferPointer { xb in
                out.withUnsafeMutableBufferPointer { ob in
                    let t = tb.baseAddress!, xp = xb.baseAddress!, o = ob.baseAddress!
                    Parallel.forEachChunk(n, chunk: 256, threads: threads) { range, _ in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: h + d)
                        defer { scratch.deallocate() }
                        for e in range {
                            Autoencoder.forward(x: xp + e * d, theta: t, d: d, h: h, hOut: scratch, yOut: scratch + h)
                            o[e] = Autoencoder.squaredError(x: xp + e * d, y: scratch + h, d: d) / Double(d)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The reconstruction y (D) of one event x (D).
    public func reconstruct(_ x: [Float]) -> [Float] {
        precondition(x.count == inputs)
        var hv = [Float](repeating: 0, count: hidden), y = [Float](repeating: 0, count: inputs)
        theta.withUnsafeBufferPointer { t in
            x.withUnsafeBufferPointer { xb in
                hv.withUnsafeMutableBufferPointer { hb in
                    y.withUnsafeMutableBufferPointer { yb in
                        Autoencoder.forward(x: xb.baseAddress!, theta: t.baseAddress!, d: inputs, h: hidden,
                                            hOut: hb.baseAddress!, yOut: yb.baseAddress!)
                    }
                }
            }
        }
        return y
    }
}

/// Options of an autoencoder training (our choices as defaults).
public struct AutoencoderOptions: Sendable, Equatable {
    /// Epochs (all run; with validation data the epoch of the lowest validation error is kept).
    public var epochs: Int = 10
    /// Minibatch size B.
    public var batchSize: Int = 128
    /// Adam's learning rate (our choice: 3·10⁻³, three times Keras' default, so that the few
    /// epochs of the quick profile reach a useful reconstruction).
    public var learningRate: Float = 3e-3
    /// Hidden units H.
    public var hidden: Int = Autoencoder.defaultHidden
    /// Seed of initialisation and shuffling.
    public var seed: UInt64 = 1
    /// Worker threads (results do not depend on it).
    public var threads: Int = 2
    /// The defaults.
    public init() {}
}

/// What a training did.
public struct AutoencoderHistory: Sendable, Equatable {
    /// Mean training loss per epoch (over the epoch's steps, weighted by their events).
    public var trainLoss: [Double] = []
    /// Mean reconstruction error of the validation events after each epoch (empty without them).
    public var validationLoss: [Double] = []
    /// The epoch (1-based) whose weights were kept.
    public var bestEpoch = 0
}

extension Autoencoder {
    /// Train a new autoencoder on the N = `count` events of `x` (N × D, preprocessed cells).
    ///
    /// Initialisation: ``init(inputs:hidden:seed:outputBias:)`` with b₂ = the mean input
    /// (a double-precision sum over events in order). Epoch e: a permutation of the events from
    /// stream (seed, "AutoencoderShuffle", e), minibatches of B (the last one smaller), one Adam
    /// step (``Adam``) per minibatch on ``lossAndGradient(x:count:threads:)``. With `validation`
    /// (M × D) the mean validation reconstruction error after each epoch picks the weights kept
    /// (the lowest; the first on ties); without it the last epoch's are kept.
    ///
    /// - Throws: ``TrainingError`` for empty or mis-shaped data and for a loss that is not finite.
    public static func train(x: [Float], count n: Int, inputs d: Int, validation: (x: [Float], count: Int)? = nil,
                             options opt: AutoencoderOptions,
                             progress: ((_ epoch: Int, _ train: Double, _ validation: Double?) -> Void)? = nil) throws -> (Autoencoder, AutoencoderHistory) {
        guard n > 0, d > 0, x.count == n * d else { throw TrainingError("autoencoder: cells must be (\(n), \(d)) with N > 0, got \(x.count) values") }
        if let v = validation, v.x.count != v.count * d { throw TrainingError("autoencoder: validation cells must be (\(v.count), \(d))") }
        guard opt.epochs >= 1, opt.batchSize >= 1, opt.hidden >= 1 else { throw TrainingError("autoencoder: epochs, batch size and hidden units must be ≥ 1") }
        var mean = [Double](repeating: 0, count: d)
        for e in 0 ..< n { for k in 0 ..< d { mean[k] += Double(x[e * d + k]) } }
        let ae = Autoencoder(inputs: d, hidden: opt.hidden, seed: opt.seed, outputBias: mean.map { Float($0 / Double(n)) })
        var adam = Adam(count: ae.parameterCount, learningRate: opt.learningRate)
        var history = AutoencoderHistory()
        var best = ae.theta, bestLoss = Double.infinity
        let b = min(opt.batchSize, n), steps = (n + b - 1) / b
        var batch = [Float](repeating: 0, count: b * d), gradient = [Float](repeating: 0, count: ae.parameterCount)
        for epoch in 0 ..< opt.epochs {
            let perm = NetworkRandom(seed: opt.seed, salt: "AutoencoderShuffle", UInt64(epoch)).permutation(n)
            var lossSum = 0.0
            for step in 0 ..< steps {
                let lo = step * b, m = min(b, n - lo)
                let loss = batch.withUnsafeMutableBufferPointer { bb in
                    x.withUnsafeBufferPointer { xb in
                        for k in 0 ..< m { (bb.baseAddress! + k * d).update(from: xb.baseAddress! + perm[lo + k] * d, count: d) }
                        return gradient.withUnsafeMutableBufferPointer {
                            ae.gradientInto(x: bb.baseAddress!, count: m, threads: opt.threads, gradient: $0.baseAddress!)
                        }
                    }
                }
                guard loss.isFinite else {
                    throw TrainingError("autoencoder training diverged at epoch \(epoch + 1), step \(step + 1): the loss is not finite (lower the learning rate)")
                }
                lossSum += loss * Double(m)
                adam.update(&ae.theta, gradient: gradient, threads: opt.threads)
            }
            // The last step's update is not in any loss yet: a step that overflowed shows here.
            guard ae.theta.allSatisfy(\.isFinite) else {
                throw TrainingError("autoencoder training diverged in epoch \(epoch + 1): a parameter is not finite (lower the learning rate)")
            }
            history.trainLoss.append(lossSum / Double(n))
            var validationLoss: Double? = nil
            if let v = validation, v.count > 0 {
                var s = 0.0
                for e in ae.reconstructionErrors(x: v.x, count: v.count, threads: opt.threads) { s += e }
                validationLoss = s / Double(v.count)
                guard validationLoss!.isFinite else {
                    throw TrainingError("autoencoder training diverged at epoch \(epoch + 1): the validation error is not finite (lower the learning rate)")
                }
                history.validationLoss.append(validationLoss!)
            }
            let criterion = validationLoss ?? -Double(epoch)   // no validation: the last epoch wins
            if criterion < bestLoss { bestLoss = criterion; best = ae.theta; history.bestEpoch = epoch + 1 }
            progress?(epoch + 1, history.trainLoss.last!, validationLoss)
        }
        ae.theta = best
        return (ae, history)
    }
}
