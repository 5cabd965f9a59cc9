// Monte-Carlo prediction of study §2/§4: T weight samples per image → per output node the mean
// and standard deviation of the softmax outputs, and each sample's argmax ("jumpy decisions").
//
// Shape legend: N = images, U = classes, T = weight samples, P = parameters.
// At prediction every pass draws the full weights W_t = μ + σ ∘ ε_t (no sign flips needed),
// shared by all images; ε_t comes from stream (seed, "Predict", t), so image n sees the same
// T networks whatever the batching or thread count.
import Foundation
import PortableMath

/// The predictive distribution of N images.
public struct PredictionResult: Sendable {
    /// N, U, T.
    public var count: Int, classes: Int, samples: Int
    /// Mean over samples of the softmax outputs, (N, U).
    public var mean: [Float]
    /// Standard deviation over samples of the softmax outputs (population, 1/T), (N, U).
    public var std: [Float]
    /// Argmax of each sample's outputs, (N, T).
    public var argmax: [UInt8]
    /// Expected entropy (1/T) Σₜ H(softmax(f(xₙ; W_t))) in nats, (N): with the entropy of the
    /// mean it gives the mutual information I = H[p̄] − E_t H[p_t] (the epistemic part).
    public var expectedEntropy: [Float]
}

extension CaloNetwork {
    /// Monte-Carlo prediction of `count` images (preprocessed cells (count, 504)) with
    /// `samples` weight draws (the deterministic twin makes one pass: T = 1).
    ///
    /// ```
    /// p̄ₙ = (1/T) Σₜ softmax(f(xₙ; W_t)),   sₙ = √((1/T) Σₜ softmax(f(xₙ; W_t))² − p̄ₙ²)
    /// ```
    /// Sums run over t in order in double precision, so results do not depend on `threads`.
    public func predict(x: [Float], count: Int, samples: Int = 100, seed: UInt64, threads: Int = 2) -> PredictionResult {
        let bnn = config.kind == .bnn, t = bnn ? max(1, samples) : 1
        let p = parameterCount, u = config.classes, cells = config.cellsPerExample
        precondition(x.count == count * cells, "predict: x must be (count, \(cells))")
        precondition(u <= 256, "argmax is stored as UInt8")
        let (dW, _) = denseOffsets
        // The T weight sets W_t, each a plain pass.
        let passes = (0 ..< t).map { _ in PassWeights(count: p, dense: dense, flipout: false) }
        // σ = softplus(ρ) of every parameter, in bulk (the bits of Softplus.value per element).
        var sigma = [Float](repeating: 0, count: bnn ? p : 0)
        if bnn {
            var dSigma = sigma
            rho.withUnsafeBufferPointer { r in
                sigma.withUnsafeMutableBufferPointer { s in
                    dSigma.withUnsafeMutableBufferPointer { d in
                        Softplus.valuesAndDerivatives(r.baseAddress!, count: p, s.baseAddress!, d.baseAddress!)
                    }
                }
            }
        }
        mu.withUnsafeBufferPointer { muB in
            sigma.withUnsafeBufferPointer { sB in
                role.withUnsafeBufferPointer { roleB in
                    let muP = muB.baseAddress!, sP = sB.baseAddress, roleP = roleB.baseAddress!
                    Parallel.forEachShard(t, threads: threads) { k, _ in
                        let w = passes[k].values.pointer
                        if bnn {
                            NetworkRandom(seed: seed, salt: "Predict", UInt64(k)).fillGaussian(w, count: p)
                            let sP = sP!
                            for i in 0 ..< p { w[i] = roleP[i] != 0 ? muP[i] + sP[i] * w[i] : muP[i] }
                        } else {
                            w.update(from: muP, count: p)
                        }
                        passes[k].dense.pack(layer: dense, mu: w + dW, delta: nil)
                    }
                }
            }
        }
        var mean = [Float](repeating: 0, count: count * u), std = mean
        var argmax = [UInt8](repeating: 0, count: count * t)
        var expectedEntropy = [Float](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xB in
            mean.withUnsafeMutableBufferPointer { meanB in
                std.withUnsafeMutableBufferPointer { stdB in
                    argmax.withUnsafeMutableBufferPointer { amB in
                      expectedEntropy.withUnsafeMutableBufferPointer { eeB in
                        let xP = xB.baseAddress!, meanP = meanB.baseAddress!, stdP = stdB.baseAddress!, amP = amB.baseAddress!
                        let eeP = eeB.baseAddress!
                        _ = forEachShard(count: count, threads: threads, gradientShards: false) { sh, n, lo, ws in
                            let xs = xP + lo * cells
                            var sum = [Double](repeating: 0, count: n * u), sumSq = sum
                            var entropySum = [Double](repeating: 0, count: n)
                            let prob = ws.dLogits.pointer
                            for k in 0 ..< t {
                                _ = runShard(n: n, x: xs, labels: nil, firstIndex: lo, signs: nil, pass: passes[k],
                                             gradScale: 0, backward: false, ws: ws, shard: sh)
                                Softmax.probabilities(ws.logits.pointer, n: n, classes: u, prob)
                                for e in 0 ..< n {
                                    var best = 0
                                    var h = 0.0
                                    for j in 0 ..< u {
                                        let v = prob[e * u + j]
                                        sum[e * u + j] += Double(v); sumSq[e * u + j] += Double(v) * Double(v)
                                        if v > 0 { h -= Double(v) * PortableMath.log(Double(v)) }
                                        if v > prob[e * u + best] { best = j }
                                    }
                                    entropySum[e] += h
                                    amP[(lo + e) * t + k] = UInt8(best)
                                }
                            }
                            let invT = 1 / Double(t)
                            for i in 0 ..< n * u {
                                let m = sum[i] * invT
                                meanP[lo * u + i] = Float(m)
                                stdP[lo * u + i] = Float(max(0, sumSq[i] * invT - m * m).squareRoot())
                            }
                            for e in 0 ..< n { eeP[lo + e] = Float(entropySum[e] * invT) }
                            return (0, 0)
                        }
                      }
                    }
                }
            }
        }
        return PredictionResult(count: count, classes: u, samples: t, mean: mean, std: std, argmax: argmax,
                                expectedEntropy: expectedEntropy)
    }
}
