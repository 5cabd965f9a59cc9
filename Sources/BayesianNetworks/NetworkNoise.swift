// The random numbers of one pass of the network (study §2): the weight noise ε with the derived
// σ = softplus(ρ), dσ/dρ and ΔW = σ ∘ ε, and Flipout's per-example signs. Every number is a pure
// function of (seed, salt, epoch, step, index) — see ``NetworkRandom`` — so any thread count,
// batching or resumed run draws the same ones.
//
// Shape legend: P = parameters, F = filters, D = dense inputs, U = classes, S = shard size.

/// The weights one forward pass uses: Flipout (μ and ΔW) or plain (μ, or a sampled W).
final class PassWeights: @unchecked Sendable {
    /// (P): the kernels' μ (or W) at weight slots, the forward biases at bias slots
    /// (μ_b + ΔW_b for Bayesian biases, μ_b otherwise).
    let values: FloatBuffer
    /// (P): ΔW = σ ∘ ε at Bayesian slots, 0 elsewhere; nil for a plain pass.
    let delta: FloatBuffer?
    /// The dense block of `values` and `delta`, transposed for the kernels.
    let dense: PackedDenseWeights
    init(count: Int, dense layer: FlipoutDense, flipout: Bool) {
        values = FloatBuffer(count: count)
        delta = flipout ? FloatBuffer(count: count) : nil
        dense = PackedDenseWeights(layer: layer, flipout: flipout)
    }
    var isFlipout: Bool { delta != nil }
}

/// ε, σ, dσ/dρ of the current training pass and the two pass-weight sets.
final class ParameterNoise {
    let epsilon, sigma, dSigma: FloatBuffer
    let flipout: PassWeights, plain: PassWeights
    init(count: Int, dense: FlipoutDense) {
        epsilon = FloatBuffer(count: count); sigma = FloatBuffer(count: count); dSigma = FloatBuffer(count: count)
        flipout = PassWeights(count: count, dense: dense, flipout: true)
        plain = PassWeights(count: count, dense: dense, flipout: false)
    }
}

extension CaloNetwork {
    /// The weights of a pass. With `key` (BNN training or the validation estimate): ε from stream
    /// (seed, "Epsilon", salt, epoch, step, chunk) in chunks of 4096 parameters, σ = softplus(ρ),
    /// dσ/dρ, ΔW = σ ∘ ε and the forward biases — the Flipout pass. Without (the twin, or the
    /// mean network): the plain pass with μ; ε, σ, ΔW are not read on that path.
    func prepareNoise(_ key: NoiseKey?, threads: Int) -> PassWeights {
        let n = parameterCount
        let (dW, _) = denseOffsets
        guard let key else {
            let pass = noise.plain
            mu.withUnsafeBufferPointer { pass.values.pointer.update(from: $0.baseAddress!, count: n) }
            pass.dense.pack(layer: dense, mu: pass.values.pointer + dW, delta: nil)
            return pass
        }
        let pass = noise.flipout
        let eps = noise.epsilon.pointer, sig = noise.sigma.pointer, ds = noise.dSigma.pointer
        let del = pass.delta!.pointer, values = pass.values.pointer
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
                        Softplus.valuesAndDerivatives(rhoP + range.lowerBound, count: range.count,
                                                      sig + range.lowerBound, ds + range.lowerBound)
                        for i in range {
                            if roleP[i] == 0 { sig[i] = 0; ds[i] = 0; eps[i] = 0 }
                            del[i] = sig[i] * eps[i]
                            values[i] = roleP[i] == 2 ? muP[i] : muP[i] + del[i]
                        }
                    }
                }
            }
        }
        pass.dense.pack(layer: dense, mu: values + dW, delta: del + dW)
        return pass
    }

    /// Flipout signs of example `index` of the pass `key`: stream (seed, "FlipoutSigns", salt,
    /// epoch, step, index), drawn in the order conv0 factor (F), conv1 factor, conv2 factor,
    /// dense in (D), dense out (U).
    func drawSigns(_ key: NoiseKey, saltHash: UInt64, index: Int, local e: Int, ws: ShardWorkspace) {
        let cfg = config, nb = cfg.grids.count, f = cfg.filters
        ws.rng.reseed(SeedDerivation.seed(key.seed, salt: "FlipoutSigns", saltHash, UInt64(key.epoch), UInt64(key.step), UInt64(index)))
        ws.rng.fillSigns(ws.convFactor.pointer + e * nb * f, count: nb * f)
        ws.rng.fillSigns(ws.denseSignIn.pointer + e * cfg.featureCount, count: cfg.featureCount)
        ws.rng.fillSigns(ws.denseSignOut.pointer + e * cfg.classes, count: cfg.classes)
    }
}
