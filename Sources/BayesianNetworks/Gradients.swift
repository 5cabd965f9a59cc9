// The minibatch loss −ELBO/N_train, its gradient with respect to (μ, ρ), and the evaluation
// passes without gradients (study §2, §4). Derivation: ``ELBO`` and the DocC article
// "The ELBO, step by step".
//
// Shape legend: B = minibatch, P = parameters, 504 cells per example.

extension CaloNetwork {
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
        step(x: x, labels: labels, count: b, noise: key, nTrain: nTrain, threads: threads, update: nil).result
    }

    /// One step of training: ``gradients(x:labels:count:noise:nTrain:threads:)`` followed by
    /// `adamMu.update(&mu, gradient: gradMu)` and, for the BNN, `adamRho.update(&rho, gradient: gradRho)`
    /// — the same numbers, bit for bit, from one pass over the parameters instead of several.
    /// The same pass also fills the weights of the next step's forward pass when `nextNoise` (its
    /// key) is given, so that the next call finds them ready.
    ///
    /// - Returns: the batch result and whether every component of ∂loss/∂μ and ∂loss/∂ρ was
    ///   finite (if not, μ and ρ have taken a non-finite step: stop training).
    @discardableResult
    public func trainingStep(x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count b: Int, noise key: NoiseKey,
                             nextNoise: NoiseKey?, nTrain: Int, threads: Int,
                             adamMu: inout Adam, adamRho: inout Adam) -> (result: BatchResult, gradientFinite: Bool) {
        let bnn = config.kind == .bnn
        let update = StepUpdate(mu: adamMu.beginStep(), rho: bnn ? adamRho.beginStep() : nil, nextNoise: bnn ? nextNoise : nil)
        return adamMu.m.withUnsafeMutableBufferPointer { mMu in
            adamMu.v.withUnsafeMutableBufferPointer { vMu in
                adamRho.m.withUnsafeMutableBufferPointer { mRho in
                    adamRho.v.withUnsafeMutableBufferPointer { vRho in
                        var u = update
                        u.moments = (mMu.baseAddress!, vMu.baseAddress!, mRho.baseAddress!, vRho.baseAddress!)
                        return step(x: x, labels: labels, count: b, noise: key, nTrain: nTrain, threads: threads, update: u)
                    }
                }
            }
        }
    }

    /// What a training step does to the parameters after the gradient: Adam's coefficients and
    /// moments for μ (and ρ), and the key of the next pass to prepare.
    struct StepUpdate {
        var mu: Adam.Coefficients, rho: Adam.Coefficients?
        var nextNoise: NoiseKey?
        var moments: (mMu: UnsafeMutablePointer<Float>, vMu: UnsafeMutablePointer<Float>,
                      mRho: UnsafeMutablePointer<Float>, vRho: UnsafeMutablePointer<Float>)? = nil
    }

    /// The gradient of one minibatch, then (with `update`) the parameter update in the same pass.
    func step(x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count b: Int, noise key: NoiseKey,
              nTrain: Int, threads: Int, update: StepUpdate?) -> (result: BatchResult, gradientFinite: Bool) {
        let bnn = config.kind == .bnn
        let pass = prepareNoise(bnn ? key : nil, threads: threads)
        let cells = config.cellsPerExample
        let partial = forEachShard(count: b, threads: threads, gradientShards: true) { sh, n, lo, ws in
            runShard(n: n, x: x + lo * cells, labels: labels + lo, firstIndex: lo, signs: key, pass: pass,
                     gradScale: 1 / Float(b), backward: true, ws: ws, shard: sh)
        }
        var result = BatchResult(count: b)
        for (ce, c) in partial { result.crossEntropySum += ce; result.correct += c }
        let (kl, finite) = reduceGradients(shards: partial.count, nTrain: nTrain, flipout: pass.isFlipout,
                                           threads: threads, update: update)
        result.kl = kl
        return (result, finite)
    }

    /// Sum the shard gradients in shard order, add the KL gradient, chain ΔW → ρ; returns KL
    /// (0 for the twin) and whether every gradient component is finite. One loop for every
    /// prior: in each chunk of 4096 weights the prior returns the KL gradient and the KL sum of
    /// every Bayesian span (``Prior/klSum(mu:sigma:epsilon:count:dMu:dSigma:)``, vectorised by
    /// the Gaussian prior), and the loop adds the spans' sums in index order; it is generic over
    /// the prior's type, so the calls are specialised, not dynamically dispatched.
    ///
    /// With `update` (a training step), each parameter's Adam update follows its gradient in the
    /// same loop, and then the chunk's share of the next pass is filled: the Flipout pass of
    /// `update.nextNoise` for the BNN, the plain pass for the twin.
    func reduceGradients(shards: Int, nTrain: Int, flipout: Bool, threads: Int, update: StepUpdate?) -> (Double, Bool) {
        let n = parameterCount, chunk = Self.parameterChunk
        let chunks = (n + chunk - 1) / chunk
        var klChunks = [Double](repeating: 0, count: chunks)
        var finiteChunks = [Bool](repeating: true, count: chunks)
        let invN = 1 / Double(max(nTrain, 1))
        let gMuBufs = shardGradMu.prefix(shards).map { UnsafePointer($0.pointer) }
        let gDelBufs = shardGradDelta.prefix(shards).map { UnsafePointer($0.pointer) }
        let eps = noise.epsilon.pointer, ds = noise.dSigma.pointer
        let nextKey = update?.nextNoise, nextSalt = nextKey.map { SeedDerivation.hash($0.salt) } ?? 0
        func run<P: Prior>(_ prior: P, _ muP: UnsafeMutablePointer<Float>, _ rhoP: UnsafeMutablePointer<Float>,
                           _ gm: UnsafeMutablePointer<Float>, _ gr: UnsafeMutablePointer<Float>, _ roleP: UnsafePointer<UInt8>,
                           _ klP: UnsafeMutablePointer<Double>, _ finP: UnsafeMutablePointer<Bool>) {
            scratch.ensure(workers: max(1, threads), perWorker: 3 * chunk)
            Parallel.forEachShard(chunks, threads: threads) { c, worker in
                let range = c * chunk ..< min(n, (c + 1) * chunk)
                let dMu = scratch.buffers[worker], dSigma = dMu + chunk
                // ∂KL/∂μ / N_train and ∂KL/∂σ / N_train rounded to float, (chunk) each.
                let klMu = UnsafeMutableRawPointer(dSigma + chunk).assumingMemoryBound(to: Float.self), klSigma = klMu + chunk
                let lo = range.lowerBound
                var kl = 0.0
                if flipout {
                    kl = klOfChunk(prior, range, mu: muP, dMu: dMu, dSigma: dSigma) { o, count in
                        for j in o ..< o + count { klMu[j] = Float(dMu[j] * invN); klSigma[j] = Float(dSigma[j] * invN) }
                    }
                }
                forEachRoleSpan(range) { span, role in
                    ActiveKernels.gradientSpan(span.lowerBound, span.upperBound, shards: shards, gradMu: gMuBufs,
                                               gradDelta: gDelBufs, bayesian: flipout && role != 0, bias: role == 1,
                                               klMu: klMu, klSigma: klSigma, klStart: lo, epsilon: eps, dSigma: ds,
                                               gm: gm, gr: gr)
                }
                klP[c] = kl
                finP[c] = Self.allFinite(gm, range) && Self.allFinite(gr, range)
                if let update, let mom = update.moments {
                    // Adam on the chunk while its gradients are in the cache; the twin's new μ
                    // is also its next plain pass (written there in the same loop, then packed).
                    let plainValues = flipout ? nil : noise.plain.values.pointer
                    update.mu.apply(range, gradient: gm, theta: muP, m: mom.mMu, v: mom.vMu, copy: plainValues)
                    if let r = update.rho { r.apply(range, gradient: gr, theta: rhoP, m: mom.mRho, v: mom.vRho) }
                    if let plainValues {
                        packDense(range, values: plainValues, delta: nil, into: noise.plain.dense)
                    } else if let nextKey {
                        fillFlipoutChunk(range, chunk: c, key: nextKey, saltHash: nextSalt, mu: muP, rho: rhoP)
                    }
                }
            }
        }
        func open<P: Prior>(_ p: P, _ muP: UnsafeMutablePointer<Float>, _ rhoP: UnsafeMutablePointer<Float>) {
            gradMu.withUnsafeMutableBufferPointer { gmB in
                gradRho.withUnsafeMutableBufferPointer { grB in
                    role.withUnsafeBufferPointer { roleB in
                        klChunks.withUnsafeMutableBufferPointer { klB in
                            finiteChunks.withUnsafeMutableBufferPointer { finB in
                                run(p, muP, rhoP, gmB.baseAddress!, grB.baseAddress!, roleB.baseAddress!,
                                    klB.baseAddress!, finB.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        // Open the existential once: `run` is then specialised for the prior's concrete type.
        if update != nil {
            // μ and ρ are written: their observers forget every prepared pass; then record the one
            // this pass prepared.
            mu.withUnsafeMutableBufferPointer { muB in
                rho.withUnsafeMutableBufferPointer { rhoB in open(prior, muB.baseAddress!, rhoB.baseAddress!) }
            }
            if flipout { flipoutPassKey = nextKey } else { plainPassCurrent = true }
        } else {
            // Read only (nothing writes through these pointers without an update).
            mu.withUnsafeBufferPointer { muB in
                rho.withUnsafeBufferPointer { rhoB in
                    open(prior, UnsafeMutablePointer(mutating: muB.baseAddress!), UnsafeMutablePointer(mutating: rhoB.baseAddress!))
                }
            }
        }
        return (klChunks.reduce(0, +), !finiteChunks.contains(false))
    }

    /// The KL of the Bayesian spans of the parameter chunk `range` at the prepared pass's σ and ε:
    /// ``Prior/klSum(mu:sigma:epsilon:count:dMu:dSigma:)`` per span, the sums added in index order
    /// from 0, each span's gradient at `dMu`, `dSigma` + (span start − `range` start) and
    /// `afterSpan(offset, count)` called once it is there. A training step and
    /// ``klDivergence(noise:)`` both go through here, so their KL values have the same bits.
    @inline(__always)
    func klOfChunk<P: Prior>(_ prior: P, _ range: Range<Int>, mu: UnsafePointer<Float>,
                             dMu: UnsafeMutablePointer<Double>, dSigma: UnsafeMutablePointer<Double>,
                             afterSpan: (_ offset: Int, _ count: Int) -> Void = { _, _ in }) -> Double {
        let eps = noise.epsilon.pointer, sig = noise.sigma.pointer
        var kl = 0.0
        forEachRoleSpan(range) { span, role in
            guard role != 0 else { return }
            let a = span.lowerBound, o = a - range.lowerBound
            kl += prior.klSum(mu: mu + a, sigma: sig + a, epsilon: eps + a, count: span.count,
                              dMu: dMu + o, dSigma: dSigma + o)
            afterSpan(o, span.count)
        }
        return kl
    }

    /// Run `body(span, role)` over the parts of `range` that lie in one parameter block, in
    /// index order; role as in ``role`` (1 Bayesian bias, 2 Bayesian weight, 0 otherwise).
    @inline(__always)
    func forEachRoleSpan(_ range: Range<Int>, _ body: (Range<Int>, UInt8) -> Void) {
        for b in blocks {
            let lo = max(range.lowerBound, b.offset), hi = min(range.upperBound, b.offset + b.count)
            if lo < hi { body(lo ..< hi, b.isBayesian ? (b.isBias ? 1 : 2) : 0) }
        }
    }

    /// Whether every element of `p` in `range` is finite (x − x is 0 for finite x, NaN otherwise).
    static func allFinite(_ p: UnsafePointer<Float>, _ range: Range<Int>) -> Bool {
        var acc = SIMD8<Float>.zero
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            acc += v - v
            i += 8
        }
        var tail: Float = 0
        while i < range.upperBound { tail += p[i] - p[i]; i += 1 }
        return acc.sum() == 0 && tail == 0
    }

    /// KL(q‖p) at the current (μ, ρ) with the ε of `key` (exact for closed-form priors): the
    /// same sums in the same order as a training step's, so the same bits as its KL.
    public func klDivergence(noise key: NoiseKey = NoiseKey(seed: 0, epoch: 0, step: 0)) -> Double {
        guard config.kind == .bnn else { return 0 }
        _ = prepareNoise(key, threads: 1)
        let n = parameterCount, chunk = Self.parameterChunk
        var dMu = [Double](repeating: 0, count: chunk), dSigma = dMu
        var total = 0.0
        mu.withUnsafeBufferPointer { muB in
            dMu.withUnsafeMutableBufferPointer { dm in
                dSigma.withUnsafeMutableBufferPointer { ds in
                    for c in 0 ..< (n + chunk - 1) / chunk {
                        total += klOfChunk(prior, c * chunk ..< min(n, (c + 1) * chunk), mu: muB.baseAddress!,
                                           dMu: dm.baseAddress!, dSigma: ds.baseAddress!)
                    }
                }
            }
        }
        return total
    }

    /// Cross-entropy and accuracy of `count` examples with one Flipout draw per minibatch of
    /// `batch` (stream `key` with the batch index as step) — the training objective's estimate,
    /// as Keras reports `val_loss` — or with the mean weights μ if `key` is nil. KL is filled in.
    public func evaluate(x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, batch: Int = 1024,
                         noise key: NoiseKey?, threads: Int) -> BatchResult {
        var result = BatchResult(count: count)
        let bnn = config.kind == .bnn, cells = config.cellsPerExample
        var start = 0, step = 0
        while start < count {
            let b = min(batch, count - start)
            var k = key; k?.step = step
            let pass = prepareNoise(bnn ? k : nil, threads: threads)
            let partial = forEachShard(count: b, threads: threads, gradientShards: false) { sh, n, lo, ws in
                runShard(n: n, x: x + (start + lo) * cells, labels: labels + start + lo, firstIndex: lo, signs: k,
                         pass: pass, gradScale: 0, backward: false, ws: ws, shard: sh)
            }
            for (ce, c) in partial { result.crossEntropySum += ce; result.correct += c }
            start += b; step += 1
        }
        result.kl = bnn ? klDivergence(noise: key ?? NoiseKey(seed: 0, epoch: 0, step: 0)) : 0
        return result
    }
}
