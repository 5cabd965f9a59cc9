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
        let bnn = config.kind == .bnn
        let pass = prepareNoise(bnn ? key : nil, threads: threads)
        let cells = config.cellsPerExample
        let partial = forEachShard(count: b, threads: threads, gradientShards: true) { sh, n, lo, ws in
            runShard(n: n, x: x + lo * cells, labels: labels + lo, firstIndex: lo, signs: key, pass: pass,
                     gradScale: 1 / Float(b), backward: true, ws: ws, shard: sh)
        }
        var result = BatchResult(count: b)
        for (ce, c) in partial { result.crossEntropySum += ce; result.correct += c }
        result.kl = reduceGradients(shards: partial.count, nTrain: nTrain, flipout: pass.isFlipout, threads: threads)
        return result
    }

    /// Sum the shard gradients in shard order, add the KL gradient, chain ΔW → ρ; returns KL
    /// (0 for the twin). One loop for every prior: the prior fills the KL terms of a chunk of 4096
    /// weights (``Prior/klTerms(mu:sigma:epsilon:count:value:dMu:dSigma:)``, vectorised by the
    /// Gaussian prior) and the loop sums them in index order; it is generic over the prior's type,
    /// so the calls are specialised, not dynamically dispatched.
    func reduceGradients(shards: Int, nTrain: Int, flipout: Bool, threads: Int) -> Double {
        let n = parameterCount, chunk = 4096
        var klChunks = [Double](repeating: 0, count: (n + chunk - 1) / chunk)
        let invN = 1 / Double(max(nTrain, 1))
        let gMuBufs = shardGradMu.prefix(shards).map { UnsafePointer($0.pointer) }
        let gDelBufs = shardGradDelta.prefix(shards).map { UnsafePointer($0.pointer) }
        let eps = noise.epsilon.pointer, sig = noise.sigma.pointer, ds = noise.dSigma.pointer
        func run<P: Prior>(_ prior: P, _ muP: UnsafePointer<Float>, _ gm: UnsafeMutablePointer<Float>,
                           _ gr: UnsafeMutablePointer<Float>, _ roleP: UnsafePointer<UInt8>, _ klP: UnsafeMutablePointer<Double>) {
            Parallel.forEachChunk(n, chunk: chunk, threads: threads) { range, c in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * chunk) { t in
                    let value = t.baseAddress!, dMu = value + chunk, dSigma = dMu + chunk
                    let lo = range.lowerBound
                    if flipout {
                        prior.klTerms(mu: muP + lo, sigma: sig + lo, epsilon: eps + lo, count: range.count,
                                      value: value, dMu: dMu, dSigma: dSigma)
                    }
                    var kl = 0.0
                    for i in range {
                        var sMu: Float = 0
                        for k in 0 ..< shards { sMu += gMuBufs[k][i] }
                        guard flipout, roleP[i] != 0 else { gm[i] = sMu; gr[i] = 0; continue }
                        var sDel: Float = 0
                        if roleP[i] == 1 { sDel = sMu }  // Bayesian bias: b = μ + Δ
                        else { for k in 0 ..< shards { sDel += gDelBufs[k][i] } }
                        kl += value[i - lo]
                        gm[i] = sMu + Float(dMu[i - lo] * invN)
                        gr[i] = (sDel * eps[i] + Float(dSigma[i - lo] * invN)) * ds[i]
                    }
                    klP[c] = kl
                }
            }
        }
        func open<P: Prior>(_ p: P) {
            mu.withUnsafeBufferPointer { muB in
                gradMu.withUnsafeMutableBufferPointer { gmB in
                    gradRho.withUnsafeMutableBufferPointer { grB in
                        role.withUnsafeBufferPointer { roleB in
                            klChunks.withUnsafeMutableBufferPointer { klB in
                                run(p, muB.baseAddress!, gmB.baseAddress!, grB.baseAddress!, roleB.baseAddress!, klB.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        // Open the existential once: `run` is then specialised for the prior's concrete type.
        open(prior)
        return klChunks.reduce(0, +)
    }

    /// KL(q‖p) at the current (μ, ρ) with the ε of `key` (exact for closed-form priors).
    public func klDivergence(noise key: NoiseKey = NoiseKey(seed: 0, epoch: 0, step: 0)) -> Double {
        guard config.kind == .bnn else { return 0 }
        _ = prepareNoise(key, threads: 1)
        var kl = 0.0
        for i in 0 ..< parameterCount where role[i] != 0 {
            kl += prior.klTerm(mu: Double(mu[i]), sigma: Double(noise.sigma.pointer[i]), epsilon: Double(noise.epsilon.pointer[i])).value
        }
        return kl
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

    /// Logits (count, U) of `count` examples with the mean weights μ (no noise).
    public func logits(x: [Float], count: Int, threads: Int = 1) -> [Float] {
        let pass = prepareNoise(nil, threads: threads)
        let u = config.classes, cells = config.cellsPerExample
        var out = [Float](repeating: 0, count: count * u)
        x.withUnsafeBufferPointer { xB in
            out.withUnsafeMutableBufferPointer { oB in
                let xP = xB.baseAddress!, oP = oB.baseAddress!
                _ = forEachShard(count: count, threads: threads, gradientShards: false) { sh, n, lo, ws in
                    let r = runShard(n: n, x: xP + lo * cells, labels: nil, firstIndex: lo, signs: nil, pass: pass,
                                     gradScale: 0, backward: false, ws: ws, shard: sh)
                    (oP + lo * u).update(from: ws.logits.pointer, count: n * u)
                    return r
                }
            }
        }
        return out
    }
}
