// Throughput figures of the network (issue "Performance"): training samples/s and prediction
// image-samples/s on the study's input shapes with synthetic data, release build.
import Foundation

/// One benchmark configuration and its measured rates (medians over repeats).
public struct NetworkBenchmark: Sendable {
    /// `bnn` or `deterministic`.
    public var model: ModelKind
    /// Minibatch size for training; images per prediction call.
    public var batch: Int
    /// Worker threads.
    public var threads: Int
    /// Training examples per second (forward + backward + Adam).
    public var trainSamplesPerSecond: Double
    /// Prediction image-samples per second: images × T / s with T = 100 weight samples for the
    /// BNN; the deterministic twin makes one pass per image (T = 1), so this is its images/s.
    public var predictImageSamplesPerSecond: Double
    /// Achieved GFLOP/s of training: ``trainSamplesPerSecond`` × ``NetworkConfig/trainingFlopsPerExample``.
    public var trainGflops: Double
    /// Achieved GFLOP/s of prediction: image-samples/s × ``NetworkConfig/forwardFlopsPerExample``.
    public var predictGflops: Double
    /// Flat key for JSON, e.g. `bnn.batch128.threads2`.
    public var key: String { "\(model.rawValue).batch\(batch).threads\(threads)" }
}

extension NetworkConfig {
    /// Floating-point operations (a multiply and an add count as two) of one 3×3 convolution sweep
    /// over an example's three branches: Σ_b 2·9·F·H_b·W_b.
    var convolutionSweepFlops: Double {
        grids.reduce(0.0) { $0 + 2 * 9 * Double(filters * $1.height * $1.width) }
    }

    /// FLOPs of one example's prediction pass in the kernels: one convolution sweep per branch and
    /// the dense layer, 2·D·U. A BNN predicts with sampled weights W = μ + σ ∘ ε, a plain pass, so
    /// this is the same for both kinds. Bias, ReLU and softmax are left out.
    public var forwardFlopsPerExample: Double {
        convolutionSweepFlops + 2 * Double(featureCount * classes)
    }

    /// FLOPs of one example's training step in the kernels, as they run (the per-step work on the
    /// parameters — noise, KL, Adam — is not counted):
    /// ```
    /// forward    conv: 2 sweeps (x ⋆ μ and x ⋆ ΔW) for Flipout, 1 plain;  dense: 2·D·U, twice for Flipout
    /// backward   conv: 1 sweep (the tap sums Tₙ(τ); ∂μ and ∂ΔW add them, 9·F per example);
    ///            dense: weight gradients 2·D·U and input gradient 2·D·U, each twice for Flipout
    /// ```
    public var trainingFlopsPerExample: Double {
        let flipout = kind == .bnn ? 2.0 : 1.0
        return (flipout + 1) * convolutionSweepFlops + 3 * flipout * 2 * Double(featureCount * classes)
    }
}

/// Measure training and prediction throughput for `bnn` and `deterministic`, batch 128 and
/// 1024, 1 and 2 threads (overridable), on synthetic cells of the study's shapes.
///
/// - Parameters:
///   - models: the networks to measure (each with the study's architecture, 10 classes).
///   - batches: minibatch sizes B for training, and images per prediction call.
///   - threads: worker-thread counts to measure each configuration with.
///   - seconds: minimum wall time per measurement (after one warm-up step).
///   - repeats: measurements per figure; the median is reported.
///   - samples: T for the BNN prediction (100).
///   - seed: seeds the networks' initialisation, the synthetic cells (stream `"Benchmark"`)
///     and the weight noise; rates do not depend on it beyond timing noise.
/// - Returns: one entry per (model, batch, threads); ``networkBenchmarkJSON(_:)`` flattens them to
///   `train_samples_per_s` / `predict_image_samples_per_s` dictionaries.
public func networkBenchmarks(models: [ModelKind] = [.bnn, .deterministic], batches: [Int] = [128, 1024],
                              threads: [Int] = [1, 2], seconds: Double = 1.0, repeats: Int = 3,
                              samples: Int = 100, seed: UInt64 = 1) -> [NetworkBenchmark] {
    var out: [NetworkBenchmark] = []
    let rng = NetworkRandom(seed: seed, salt: "Benchmark")
    for model in models {
        for batch in batches {
            let net = CaloNetwork(config: NetworkConfig(kind: model), seed: seed)
            let cells = net.config.cellsPerExample
            // Synthetic preprocessed cells: sparse |N(0, 0.5²)| like a shower's log energies.
            var x = [Float](repeating: 0, count: batch * cells)
            for i in 0 ..< x.count where rng.integer(below: 3) == 0 { x[i] = abs(Float(rng.gaussian())) * 0.5 }
            let y = (0 ..< batch).map { Int32($0 % net.config.classes) }
            var adamMu = Adam(count: net.parameterCount), adamRho = Adam(count: net.parameterCount)
            for th in threads {
                func trainRate() -> Double {
                    var steps = 0
                    let t0 = Date()
                    repeat {
                        // The training loop's step: gradient, Adam, and the next step's noise.
                        x.withUnsafeBufferPointer { xb in
                            y.withUnsafeBufferPointer { yb in
                                _ = net.trainingStep(x: xb.baseAddress!, labels: yb.baseAddress!, count: batch,
                                                     noise: NoiseKey(seed: seed, epoch: 0, step: steps),
                                                     nextNoise: NoiseKey(seed: seed, epoch: 0, step: steps + 1),
                                                     nTrain: 100_000, threads: th, adamMu: &adamMu, adamRho: &adamRho)
                            }
                        }
                        steps += 1
                    } while Date().timeIntervalSince(t0) < seconds
                    return Double(steps * batch) / Date().timeIntervalSince(t0)
                }
                func predictRate() -> Double {
                    var calls = 0, t = 0
                    let t0 = Date()
                    repeat {
                        t = net.predict(x: x, count: batch, samples: samples, seed: seed, threads: th).samples
                        calls += 1
                    } while Date().timeIntervalSince(t0) < seconds
                    return Double(calls * batch * t) / Date().timeIntervalSince(t0)
                }
                // Warm-up: workspaces, page faults, and the worker pool's threads.
                _ = net.predict(x: Array(x[0 ..< cells]), count: 1, samples: 2, seed: seed, threads: th)
                let warmUp = Date()
                while Date().timeIntervalSince(warmUp) < 0.2 {
                    x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                        _ = net.gradients(x: xb.baseAddress!, labels: yb.baseAddress!, count: batch,
                                          noise: NoiseKey(seed: seed, epoch: 1, step: 0), nTrain: 100_000, threads: th)
                    }}
                }
                let train = (0 ..< repeats).map { _ in trainRate() }.sorted()[repeats / 2]
                let pred = (0 ..< repeats).map { _ in predictRate() }.sorted()[repeats / 2]
                out.append(NetworkBenchmark(model: model, batch: batch, threads: th,
                                            trainSamplesPerSecond: train, predictImageSamplesPerSecond: pred,
                                            trainGflops: train * net.config.trainingFlopsPerExample / 1e9,
                                            predictGflops: pred * net.config.forwardFlopsPerExample / 1e9))
            }
        }
    }
    return out
}

/// The benchmark as two dictionaries keyed by ``NetworkBenchmark/key``, ready for JSON:
/// `["train_samples_per_s": [key: rate], "predict_image_samples_per_s": [key: rate],
/// "train_gflops": [key: GFLOP/s], "predict_gflops": [key: GFLOP/s]]`.
public func networkBenchmarkJSON(_ results: [NetworkBenchmark]) -> [String: [String: Double]] {
    var train: [String: Double] = [:], predict: [String: Double] = [:], trainG: [String: Double] = [:], predictG: [String: Double] = [:]
    for r in results {
        train[r.key] = r.trainSamplesPerSecond.rounded()
        predict[r.key] = r.predictImageSamplesPerSecond.rounded()
        trainG[r.key] = (r.trainGflops * 100).rounded() / 100
        predictG[r.key] = (r.predictGflops * 100).rounded() / 100
    }
    return ["train_samples_per_s": train, "predict_image_samples_per_s": predict, "train_gflops": trainG, "predict_gflops": predictG]
}
