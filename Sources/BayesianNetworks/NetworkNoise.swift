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
    /// Parameters per chunk of the per-parameter work: ε of chunk c comes from its own stream
    /// (seed, "Epsilon", salt, epoch, step, c), so the chunks can be filled in any order.
    static let parameterChunk = 4096

    /// The weights of a pass. With `key` (BNN training or the validation estimate): ε from stream
    /// (seed, "Epsilon", salt, epoch, step, chunk) in chunks of 4096 parameters, σ = softplus(ρ),
    /// dσ/dρ, ΔW = σ ∘ ε and the forward biases — the Flipout pass. Without (the twin, or the
    /// mean network): the plain pass with μ; ε, σ, ΔW are not read on that path.
    ///
    /// A pass already filled for the current (μ, ρ) — by the previous call with the same key, or
    /// ahead of time by ``trainingStep(x:labels:count:noise:nextNoise:nTrain:threads:adamMu:adamRho:)``
    /// — is reused as it is (the same function of (μ, ρ, key), so the same bits).
    func prepareNoise(_ key: NoiseKey?, threads: Int) -> PassWeights {
        guard let key else {
            if !plainPassCurrent {
                mu.withUnsafeBufferPointer { muB in
                    let muP = muB.baseAddress!
                    Parallel.forEachChunk(parameterCount, chunk: Self.parameterChunk, threads: threads) { range, _ in
                        fillPlainChunk(range, mu: muP)
                    }
                }
                plainPassCurrent = true
            }
            return noise.plain
        }
        if flipoutPassKey != key {
            let saltHash = SeedDerivation.hash(key.salt)
            mu.withUnsafeBufferPointer { muB in
                rho.withUnsafeBufferPointer { rhoB in
                    let muP = muB.baseAddress!, rhoP = rhoB.baseAddress!
                    Parallel.forEachChunk(parameterCount, chunk: Self.parameterChunk, threads: threads) { range, c in
                        fillFlipoutChunk(range, chunk: c, key: key, saltHash: saltHash, mu: muP, rho: rhoP)
                    }
                }
            }
            flipoutPassKey = key
        }
        return noise.flipout
    }

    /// The plain pass over parameters `range`: values = μ, and their slots of the packed dense weights.
    func fillPlainChunk(_ range: Range<Int>, mu muP: UnsafePointer<Float>) {
        let pass = noise.plain, values = pass.values.pointer
        (values + range.lowerBound).update(from: muP + range.lowerBound, count: range.count)
        packDense(range, values: values, delta: nil, into: pass.dense)
    }

    /// The Flipout pass over parameters `range` (chunk c of the pass `key`): ε, σ, dσ/dρ, ΔW, the
    /// forward values and their slots of the packed dense weights.
    func fillFlipoutChunk(_ range: Range<Int>, chunk c: Int, key: NoiseKey, saltHash: UInt64,
                          mu muP: UnsafePointer<Float>, rho rhoP: UnsafePointer<Float>) {
        let pass = noise.flipout
        let eps = noise.epsilon.pointer, sig = noise.sigma.pointer, ds = noise.dSigma.pointer
        let del = pass.delta!.pointer, values = pass.values.pointer
        let rng = NetworkRandom(seed: SeedDerivation.seed(key.seed, salt: "Epsilon", saltHash,
                                                          UInt64(key.epoch), UInt64(key.step), UInt64(c)))
        rng.fillGaussian(eps + range.lowerBound, count: range.count)
        Softplus.valuesAndDerivatives(rhoP + range.lowerBound, count: range.count,
                                      sig + range.lowerBound, ds + range.lowerBound)
        // Per element: ε = σ = dσ/dρ = 0 outside Bayesian blocks; ΔW = σ·ε; value = μ at a
        // Bayesian weight, μ + ΔW otherwise (eight lanes at a time, the same operations).
        forEachRoleSpan(range) { span, role in
            var i = span.lowerBound
            while i + 8 <= span.upperBound {
                let raw = UnsafeMutableRawPointer(sig + i), rawD = UnsafeMutableRawPointer(ds + i), rawE = UnsafeMutableRawPointer(eps + i)
                if role == 0 {
                    raw.storeBytes(of: SIMD8<Float>.zero, as: SIMD8<Float>.self)
                    rawD.storeBytes(of: SIMD8<Float>.zero, as: SIMD8<Float>.self)
                    rawE.storeBytes(of: SIMD8<Float>.zero, as: SIMD8<Float>.self)
                }
                let dv = raw.loadUnaligned(as: SIMD8<Float>.self) * rawE.loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(del + i).storeBytes(of: dv, as: SIMD8<Float>.self)
                let m = UnsafeRawPointer(muP + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(values + i).storeBytes(of: role == 2 ? m : m + dv, as: SIMD8<Float>.self)
                i += 8
            }
            while i < span.upperBound {
                if role == 0 { sig[i] = 0; ds[i] = 0; eps[i] = 0 }
                del[i] = sig[i] * eps[i]
                values[i] = role == 2 ? muP[i] : muP[i] + del[i]
                i += 1
            }
        }
        packDense(range, values: values, delta: del, into: pass.dense)
    }

    /// Copy the dense-kernel entries among parameters `range` of `values` (and `delta`) into the
    /// transposed (Ub, D) weights of `packed` (``Kernels/transposeWeights(_:inputs:units:_:)``
    /// one range at a time; rows U..<Ub stay zero from the allocation).
    func packDense(_ range: Range<Int>, values: UnsafePointer<Float>, delta: UnsafePointer<Float>?,
                   into packed: PackedDenseWeights) {
        let (dW, _) = denseOffsets
        let d = dense.inputs, u = dense.units
        let lo = max(range.lowerBound, dW), hi = min(range.upperBound, dW + d * u)
        guard lo < hi else { return }
        let a = packed.a.pointer, b = packed.b?.pointer
        // Parameter i = dW + k·U + j goes to row j, column k; the sources are read in order.
        var k = (lo - dW) / u, j = (lo - dW) % u
        for i in lo ..< hi {
            a[j &* d &+ k] = values[i]
            if let b, let delta { b[j &* d &+ k] = delta[i] }
            j &+= 1
            if j == u { j = 0; k &+= 1 }
        }
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
