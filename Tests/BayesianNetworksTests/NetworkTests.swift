// The whole network of study §4: end-to-end gradients, learning, the Bayesian sanity check,
// determinism across thread counts, checkpoint resume and a golden loss.
import BayesianNetworks
import CalorimeterSimulation
import Foundation
import StudyData
import GoldenSupport
import Testing

/// A small network (two branches 3×8 and 4×4, 3 classes, shards of 4) that exercises every
/// code path of the study's network quickly.
func smallConfig(_ kind: ModelKind, bayesianBias: Bool = false, filters: Int = 8) -> NetworkConfig {
    var c = NetworkConfig(kind: kind, classes: 3, bayesianBias: bayesianBias)
    c.filters = filters
    c.grids = [GridShape(3, 8), GridShape(4, 4)]
    c.shardSize = 4
    return c
}

/// Synthetic labelled cells: class k lights up a class-specific pattern plus noise.
func syntheticSet(count n: Int, config c: NetworkConfig, seed: UInt64, noise: Float = 0.3) -> (x: [Float], y: [Int32]) {
    let r = TestRandom(seed), cells = c.cellsPerExample
    let patterns = (0 ..< c.classes).map { _ in r.normals(cells).map { max(0, $0) } }
    var x = [Float](repeating: 0, count: n * cells), y = [Int32](repeating: 0, count: n)
    for e in 0 ..< n {
        let k = e % c.classes
        y[e] = Int32(k)
        for i in 0 ..< cells { x[e * cells + i] = patterns[k][i] + noise * Float(r.rng.gaussian()) }
    }
    return (x, y)
}

@Suite("Network")
struct NetworkTests {
    /// ∂loss/∂μ and ∂loss/∂ρ of the whole network against central differences of the loss
    /// with the same noise (ε and signs are fixed by the NoiseKey, so the loss is a smooth
    /// function of θ away from ReLU kinks).
    // Filter counts: 8 (the study; SIMD kernels), 16 (two SIMD chunks), 5 (the scalar twins).
    @Test("end-to-end gradient = central differences", arguments: [
        ("bnn, normal prior", ModelKind.bnn, false, "normal(1.0)", 8),
        ("bnn, Bayesian biases, scale-mixture prior (MC KL)", ModelKind.bnn, true, "mixture(0.5,1.0,0.1)", 8),
        ("deterministic", ModelKind.deterministic, false, "normal(1.0)", 8),
        ("bnn, 5 filters (scalar kernels)", ModelKind.bnn, false, "normal(1.0)", 5),
        ("deterministic, 16 filters", ModelKind.deterministic, false, "normal(1.0)", 16),
    ])
    func endToEndGradient(label: String, kind: ModelKind, bayesianBias: Bool, prior: String, filters: Int) throws {
        let cfg = smallConfig(kind, bayesianBias: bayesianBias, filters: filters)
        let net = CaloNetwork(config: cfg, prior: try priorNamed(prior), seed: 7)
        let (x, y) = syntheticSet(count: 10, config: cfg, seed: 8)
        let key = NoiseKey(seed: 9, epoch: 0, step: 0), nTrain = 50
        func loss() -> Double {
            x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                net.gradients(x: xb.baseAddress!, labels: yb.baseAddress!, count: 10, noise: key, nTrain: nTrain, threads: 2)
            }}.loss(nTrain: nTrain)
        }
        _ = loss()
        let gMu = net.gradMu, gRho = net.gradRho
        let r = TestRandom(10)
        let mu0 = net.mu, rho0 = net.rho
        let l0 = loss()
        var checked = 0, kinks = 0
        /// Central difference along coordinate i of μ or ρ. h = 5·10⁻⁴: the float32 loss is good to
        /// ~10⁻⁷ relative, so the difference to ~2·10⁻⁴. A ReLU kink between θ − h and θ + h makes the
        /// two one-sided slopes disagree; such coordinates are skipped and counted.
        func check(_ name: String, _ i: Int, analytic: Float, rhoSide: Bool) {
            let h: Float = 5e-4
            func at(_ d: Float) -> Double {
                if rhoSide { net.rho[i] = rho0[i] + d } else { net.mu[i] = mu0[i] + d }
                defer { net.mu = mu0; net.rho = rho0 }
                return loss()
            }
            let lp = at(h), lm = at(-h)
            let right = (lp - l0) / Double(h), left = (l0 - lm) / Double(h), fd = (lp - lm) / Double(2 * h)
            if abs(right - left) > 1e-3 + 0.01 * abs(fd) { kinks += 1; return }
            checked += 1
            #expect(abs(fd - Double(analytic)) < 1e-3 + 0.02 * abs(fd), "\(label) \(name)[\(i)]: \(analytic) vs \(fd)")
        }
        for block in net.blocks {
            for _ in 0 ..< 8 {
                let i = block.offset + r.rng.integer(below: block.count)
                check("μ " + block.name, i, analytic: gMu[i], rhoSide: false)
                if block.isBayesian { check("ρ " + block.name, i, analytic: gRho[i], rhoSide: true) } else { #expect(gRho[i] == 0) }
            }
        }
        #expect(kinks * 3 < checked, "\(kinks) coordinates skipped at ReLU kinks, \(checked) checked")
    }

    /// Both models drive the cross-entropy of 20 examples near 0 (the KL weight uses a large
    /// N_train so that it is the likelihood term being tested).
    @Test("overfits a tiny labelled set", arguments: [ModelKind.bnn, .deterministic])
    func overfitsTinySet(kind: ModelKind) {
        let net = CaloNetwork(config: NetworkConfig(kind: kind), seed: 3)
        let (x, y) = syntheticSet(count: 20, config: net.config, seed: 4, noise: 1.0)
        var adamMu = Adam(count: net.parameterCount, learningRate: 3e-3), adamRho = adamMu
        var last = BatchResult()
        for step in 0 ..< 150 {
            last = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                net.gradients(x: xb.baseAddress!, labels: yb.baseAddress!, count: 20,
                              noise: NoiseKey(seed: 5, epoch: 0, step: step), nTrain: 1_000_000, threads: 2)
            }}
            adamMu.update(&net.mu, gradient: net.gradMu)
            if kind == .bnn { adamRho.update(&net.rho, gradient: net.gradRho) }
        }
        let atMean = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
            net.evaluate(x: xb.baseAddress!, labels: yb.baseAddress!, count: 20, noise: nil, threads: 2)
        }}
        #expect(last.meanCrossEntropy < 0.05, "last training CE \(last.meanCrossEntropy)")
        #expect(atMean.meanCrossEntropy < 0.05 && atMean.correct == 20, "CE at μ \(atMean.meanCrossEntropy)")
    }

    /// The Bayesian sanity check of the issue: after training, the predictive standard
    /// deviation is larger on inputs far from the training data (a 5× brighter, unseen pattern)
    /// than on the training inputs.
    @Test("predictive std larger far from the training data")
    func stdGrowsOffDistribution() throws {
        let cfg = NetworkConfig(kind: .bnn, classes: 3)
        let (x, y) = syntheticSet(count: 300, config: cfg, seed: 12, noise: 0.3)
        var opt = TrainingOptions()
        opt.epochs = 8; opt.batchSize = 32; opt.seed = 13; opt.validationFraction = 0; opt.verbose = false
        let net0 = CaloNetwork(config: cfg, seed: opt.seed)
        let st = try Training.run(state: TrainingState(network: net0, options: opt, classNames: ["a", "b", "c"],
                                                       preprocessing: "test", trainingCount: 300), cells: x, labels: y)
        let net = try st.bestNetwork()
        let far = TestRandom(14).normals(50 * cfg.cellsPerExample).map { 5 * abs($0) }
        let onTrain = net.predict(x: Array(x[0 ..< 50 * cfg.cellsPerExample]), count: 50, samples: 50, seed: 1)
        let offTrain = net.predict(x: far, count: 50, samples: 50, seed: 1)
        let meanStdOn = onTrain.std.reduce(0, +) / Float(onTrain.std.count)
        let meanStdOff = offTrain.std.reduce(0, +) / Float(offTrain.std.count)
        #expect(meanStdOff > 2 * meanStdOn, "mean std on training inputs \(meanStdOn), far \(meanStdOff)")
        #expect(st.history.trainAccuracy.last! > 0.95)
    }

    func trainSmall(threads: Int, epochs: Int, resumeFrom: TrainingState? = nil, configure: (inout TrainingOptions) -> Void = { _ in },
                    checkpoint: (TrainingState) throws -> Void = { _ in }) throws -> TrainingState {
        let cfg = NetworkConfig(kind: .bnn, classes: 3)
        let (x, y) = syntheticSet(count: 300, config: cfg, seed: 21)
        var opt = TrainingOptions()
        opt.epochs = epochs; opt.batchSize = 128; opt.seed = 22; opt.validationFraction = 0.2; opt.threads = threads
        opt.verbose = false; opt.patience = 100
        configure(&opt)
        var st = resumeFrom ?? TrainingState(network: CaloNetwork(config: cfg, seed: opt.seed), options: opt,
                                             classNames: ["a", "b", "c"], preprocessing: "test", trainingCount: 240)
        st.options.epochs = epochs; st.options.threads = threads; st.options.verbose = false
        return try Training.run(state: st, cells: x, labels: y, checkpoint: checkpoint)
    }

    @Test("same seed → bit-identical weights with 1 and 2 threads")
    func threadDeterminism() throws {
        let a = try trainSmall(threads: 1, epochs: 2), b = try trainSmall(threads: 2, epochs: 2)
        #expect(a.mu == b.mu)
        #expect(a.rho == b.rho)
        #expect(a.history.validationLoss == b.history.validationLoss)
        // KL/N per epoch: recorded for every epoch, positive for a BNN, and below the training loss
        // it is a part of (cross-entropy > 0).
        #expect(a.history.klPerExample.count == 2 && a.history.klPerExample == b.history.klPerExample)
        #expect(zip(a.history.klPerExample, a.history.trainLoss).allSatisfy { $0.0 > 0 && $0.0 < $0.1 })
    }

    @Test("checkpoint after epoch 1, resume → same final state as an uninterrupted run")
    func resumeEqualsUninterrupted() throws {
        let full = try trainSmall(threads: 2, epochs: 3)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calobnn-test-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ckpt.h5").path
        _ = try trainSmall(threads: 2, epochs: 1) { try Checkpoint.save($0, to: path) }
        let loaded = try Checkpoint.load(from: path)
        #expect(loaded.epochsCompleted == 1)
        let resumed = try trainSmall(threads: 1, epochs: 3, resumeFrom: loaded)
        #expect(resumed.mu == full.mu)
        #expect(resumed.rho == full.rho)
        #expect(resumed.adamMu == full.adamMu && resumed.adamRho == full.adamRho)
        #expect(resumed.history == full.history)
        #expect(resumed.bestMu == full.bestMu)
    }

    /// A cosine schedule with warm-up and a faster ρ: the rates are a function of the epoch only,
    /// so a run stopped mid-schedule and resumed from its checkpoint file (with another thread
    /// count) takes the same steps as one that never stopped.
    @Test("cosine schedule: resume mid-schedule with other threads → bit-identical to an uninterrupted run")
    func scheduleResumeEqualsUninterrupted() throws {
        let cosine: (inout TrainingOptions) -> Void = {
            $0.schedule = LearningRateSchedule(.cosine, warmupEpochs: 1); $0.learningRate = 3e-3; $0.rhoLearningRateFactor = 10
        }
        let full = try trainSmall(threads: 2, epochs: 4, configure: cosine)
        let constant = try trainSmall(threads: 2, epochs: 4)
        #expect(full.mu != constant.mu, "the schedule must change the run")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calobnn-sched-\(getpid()).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Stop after epoch 2 of 4: the checkpoint is the state a 4-epoch run has after epoch 2.
        var stop = false
        do {
            _ = try trainSmall(threads: 2, epochs: 4, configure: cosine) { st in
                try Checkpoint.save(st, to: path)
                if st.epochsCompleted == 2 { stop = true; throw TrainingError("stop") }
            }
        } catch where stop {}
        let loaded = try Checkpoint.load(from: path)
        #expect(loaded.epochsCompleted == 2 && loaded.options.schedule == LearningRateSchedule(.cosine, warmupEpochs: 1))
        #expect(loaded.options.rhoLearningRateFactor == 10 && loaded.options.epochs == 4)
        let resumed = try trainSmall(threads: 1, epochs: 4, resumeFrom: loaded)
        #expect(resumed.mu == full.mu && resumed.rho == full.rho)
        #expect(resumed.adamMu == full.adamMu && resumed.adamRho == full.adamRho)
        #expect(resumed.history == full.history && resumed.bestMu == full.bestMu && resumed.bestRho == full.bestRho)
    }

    @Test("missing or foreign checkpoint → one-line error naming the file")
    func badCheckpoint() {
        #expect(throws: HDF5Error.self) { try Checkpoint.load(from: "/nonexistent/model.h5") }
        do { _ = try Checkpoint.load(from: "/nonexistent/model.h5") } catch {
            #expect("\(error)".contains("/nonexistent/model.h5") && !"\(error)".contains("\n"))
        }
    }

    @Test("labels outside the classes → TrainingError")
    func badLabels() {
        let cfg = smallConfig(.deterministic)
        let net = CaloNetwork(config: cfg, seed: 1)
        var opt = TrainingOptions(); opt.verbose = false; opt.validationFraction = 0
        let st = TrainingState(network: net, options: opt, classNames: ["a", "b", "c"], preprocessing: "test", trainingCount: 4)
        let (x, _) = syntheticSet(count: 4, config: cfg, seed: 1)
        #expect(throws: TrainingError.self) { try Training.run(state: st, cells: x, labels: [0, 1, 3, 0]) }
    }

    @Test("Monte-Carlo prediction: shapes, mean sums to 1, argmax in range, independent of threads")
    func predictionShapes() {
        let cfg = NetworkConfig(kind: .bnn, classes: 10)
        let net = CaloNetwork(config: cfg, seed: 2)
        let x = TestRandom(3).normals(70 * cfg.cellsPerExample).map { abs($0) }
        let p1 = net.predict(x: x, count: 70, samples: 20, seed: 4, threads: 1)
        let p2 = net.predict(x: x, count: 70, samples: 20, seed: 4, threads: 2)
        #expect(p1.mean == p2.mean && p1.std == p2.std && p1.argmax == p2.argmax)
        #expect(p1.argmax.count == 70 * 20 && p1.argmax.allSatisfy { $0 < 10 })
        for e in 0 ..< 70 { #expect(abs(p1.mean[e * 10 ..< e * 10 + 10].reduce(0, +) - 1) < 1e-4) }
        #expect(p1.std.contains { $0 > 0 })
        let det = CaloNetwork(config: NetworkConfig(kind: .deterministic), seed: 2).predict(x: x, count: 70, samples: 20, seed: 4)
        #expect(det.samples == 1 && det.std.allSatisfy { $0 == 0 })
    }
}

/// The fused training step (gradient, Adam and the next step's noise in one pass over the
/// parameters) against the separate calls it replaces: the same bits, whatever the model, prior,
/// class count, thread count or the calls in between.
@Suite("Training step")
struct TrainingStepTests {
    struct Case: CustomStringConvertible, Sendable {
        var kind: ModelKind, classes: Int, bayesianBias: Bool, mixture: Bool, threads: Int
        var description: String { "\(kind) U=\(classes) bias=\(bayesianBias) mixture=\(mixture) threads=\(threads)" }
    }
    static let cases = [
        Case(kind: .bnn, classes: 10, bayesianBias: false, mixture: false, threads: 2),
        Case(kind: .bnn, classes: 9, bayesianBias: true, mixture: false, threads: 1),
        Case(kind: .bnn, classes: 10, bayesianBias: true, mixture: true, threads: 3),
        Case(kind: .deterministic, classes: 10, bayesianBias: false, mixture: false, threads: 2),
        Case(kind: .deterministic, classes: 7, bayesianBias: false, mixture: false, threads: 1),
    ]

    @Test("trainingStep equals gradients then Adam, bit for bit", arguments: cases)
    func fusedEqualsSeparate(c: Case) {
        var cfg = NetworkConfig(kind: c.kind, classes: c.classes, bayesianBias: c.bayesianBias)
        cfg.shardSize = 16
        let prior: any Prior = c.mixture ? ScaleMixturePrior() : GaussianPrior.standardNormal
        let fused = CaloNetwork(config: cfg, prior: prior, seed: 31), plain = CaloNetwork(config: cfg, prior: prior, seed: 31)
        let (x, y) = syntheticSet(count: 96, config: cfg, seed: 32)
        var aMu = Adam(count: fused.parameterCount), aRho = aMu, bMu = aMu, bRho = aMu
        // Keys as the training loop makes them: steps 0…2 of epoch 0 (the last without a next
        // key), a validation pass in between, then an epoch that starts without a prepared pass.
        let keys = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
        for (n, (epoch, step)) in keys.enumerated() {
            let key = NoiseKey(seed: 33, epoch: epoch, step: step)
            let next: NoiseKey? = step < 2 && n + 1 < keys.count ? NoiseKey(seed: 33, epoch: epoch, step: step + 1) : nil
            let lo = (n % 2) * 40, m = 40 + n  // a last shard smaller than the others
            let (r, finite) = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                fused.trainingStep(x: xb.baseAddress! + lo * cfg.cellsPerExample, labels: yb.baseAddress! + lo, count: m,
                                   noise: key, nextNoise: next, nTrain: 5_000, threads: c.threads, adamMu: &aMu, adamRho: &aRho)
            }}
            let s = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                plain.gradients(x: xb.baseAddress! + lo * cfg.cellsPerExample, labels: yb.baseAddress! + lo, count: m,
                                noise: key, nTrain: 5_000, threads: 1)
            }}
            let gradientsEqual = fused.gradMu.map(\.bitPattern) == plain.gradMu.map(\.bitPattern)
                && fused.gradRho.map(\.bitPattern) == plain.gradRho.map(\.bitPattern)
            #expect(finite && gradientsEqual, "step \(n): gradients")
            bMu.update(&plain.mu, gradient: plain.gradMu)
            if c.kind == .bnn { bRho.update(&plain.rho, gradient: plain.gradRho) }
            #expect(r == s, "step \(n): \(r) vs \(s)")
            #expect(fused.mu.map(\.bitPattern) == plain.mu.map(\.bitPattern), "step \(n): μ")
            #expect(fused.rho.map(\.bitPattern) == plain.rho.map(\.bitPattern), "step \(n): ρ")
            #expect(aMu == bMu && aRho == bRho, "step \(n): Adam state")
            if step == 1 {
                // The validation estimate and the mean network in between use other passes.
                for net in [fused, plain] {
                    let v = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                        net.evaluate(x: xb.baseAddress!, labels: yb.baseAddress!, count: 30,
                                     noise: NoiseKey(seed: 33, epoch: epoch, step: 0, salt: "Validation"), threads: c.threads)
                    }}
                    _ = v
                    _ = net.logits(x: Array(x[0 ..< 5 * cfg.cellsPerExample]), count: 5, threads: c.threads)
                }
            }
        }
        let probe = Array(x[0 ..< 8 * cfg.cellsPerExample])
        #expect(fused.logits(x: probe, count: 8).map(\.bitPattern) == plain.logits(x: probe, count: 8).map(\.bitPattern))
    }

    @Test("a non-finite gradient is reported")
    func reportsNonFinite() {
        let cfg = NetworkConfig(kind: .bnn, classes: 3)
        let net = CaloNetwork(config: cfg, seed: 1)
        var x = syntheticSet(count: 4, config: cfg, seed: 2).x, y: [Int32] = [0, 1, 2, 0]
        x[5] = .infinity
        var aMu = Adam(count: net.parameterCount), aRho = aMu
        let (r, finite) = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
            net.trainingStep(x: xb.baseAddress!, labels: yb.baseAddress!, count: 4, noise: NoiseKey(seed: 1, epoch: 0, step: 0),
                             nextNoise: nil, nTrain: 10, threads: 2, adamMu: &aMu, adamRho: &aRho)
        }}
        #expect(!(finite && r.crossEntropySum.isFinite))
        _ = y.removeLast()
    }
}

@Suite("Golden values")
struct GoldenTests {
    /// Pins the BNN training path end to end (init stream, Flipout noise streams, kernels, KL,
    /// Adam): the minibatch loss −ELBO/N after 20 Adam steps of batch 64 on a fixed synthetic
    /// set of 256 examples, 10 classes, seed 2022, KL weighted by N_train = 50 000
    /// (the size of a study training set, so that cross-entropy and KL/N are both O(1)).
    ///
    /// The value lives in `Goldens/bnn_goldens.json` under `training.bnn_loss_after_20_steps.seed2022`.
    /// A digest of the trained μ and ρ bit patterns is pinned beside it.
    /// Regenerate: `make record-goldens` (loud; say why in the commit).
    /// Tolerance: none. The kernels and every transcendental give the same bits on every CPU, so
    /// the loss and the weights are exact on any x86-64 machine.

    @Test("golden: BNN loss after 20 steps, seed 2022")
    func golden_bnnLossAfter20Steps() {
        let cfg = NetworkConfig(kind: .bnn, classes: 10)
        let net = CaloNetwork(config: cfg, seed: 2022)
        let (x, y) = syntheticSet(count: 256, config: cfg, seed: 2022)
        var adamMu = Adam(count: net.parameterCount), adamRho = adamMu
        var loss = 0.0
        for step in 0 ..< 20 {
            let lo = (step % 4) * 64
            let r = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                net.gradients(x: xb.baseAddress! + lo * cfg.cellsPerExample, labels: yb.baseAddress! + lo, count: 64,
                              noise: NoiseKey(seed: 2022, epoch: step / 4, step: step % 4), nTrain: 50_000, threads: 2)
            }}
            loss = r.loss(nTrain: 50_000)
            adamMu.update(&net.mu, gradient: net.gradMu)
            adamRho.update(&net.rho, gradient: net.gradRho)
        }
        // FNV-1a of the weights' bits, reduced to 52 bits so that JSON keeps it exactly.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in net.mu + net.rho { h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
        let problems = GoldenFile("bnn_goldens.json", besides: #filePath)
            .check(["training.bnn_loss_after_20_steps.seed2022": loss,
                    "training.bnn_weights_digest_after_20_steps.seed2022": Double(h & 0xF_FFFF_FFFF_FFFF)], rtol: 0)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}

@Suite("Inputs and checkpoints")
struct InputTests {
    @Test("preprocessing eight cells at a time = one cell at a time, bit for bit (both variants, odd event sizes)")
    func preprocessingLanes() {
        var r = SystemRandomNumberGenerator()
        var cells: [Float] = [0, -0.0, 1e-30, -1e-30, 1, -1, 0.5, 2e5, -3e4, .greatestFiniteMagnitude, 7, 13]
        for _ in 0 ..< 1000 {
            let e = Float.random(in: -8 ... 12, using: &r)
            cells.append((Bool.random(using: &r) ? 1 : -1) * Float(Foundation.exp(Double(e))))
        }
        for pre in [Preprocessing(), .energyNormalised] {
            for size in [cells.count, 13, 8, 5] {
                var out: [Float] = []
                pre.appendEvent(cells[0 ..< size], to: &out)
                var sum: Float = 0
                for e in cells[0 ..< size] { sum += e }
                let factor: Float = pre.normalisedTotalMeV.map { sum > 0 ? $0 / sum : 1 } ?? 1
                let one = cells[0 ..< size].map { pre.apply(pre.normalisedTotalMeV == nil ? $0 : $0 * factor) }
                let differing = zip(out, one).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                #expect(out.count == one.count && differing == 0, "\(differing) of \(size) cells differ")
            }
        }
    }

    func dataset() -> CaloDataset {
        let cells = 504, n = 6
        let batch = EventBatch(count: n, cells: (0 ..< n * cells).map { Float($0 % 7) - 1 },
                               overflow: [Float](repeating: 0, count: n * 3), energy: [Float](repeating: 20, count: n),
                               label: [0, 1, 2, 2, 1, 0])
        return CaloDataset(batch: batch, provenance: DatasetProvenance(classNames: ["a", "b", "c"], seed: 1, mode: "total",
                                                                       noise: false, gunDistanceMM: 1000, gunEnergyGeV: 20))
    }

    @Test("--exclude-class drops the class and renumbers the labels above it")
    func excludeClass() throws {
        let t = try dataset().trainingInputs(excluding: "b", path: "x.h5")
        #expect(t.classNames == ["a", "c"])
        #expect(t.labels == [0, 1, 1, 0])
        #expect(t.cells.count == 4 * 504)
        let pre = Preprocessing()
        #expect(t.cells[504] == pre.apply(Float((2 * 504) % 7) - 1))   // event 2 is the second kept
        #expect(pre.apply(-1) == -pre.apply(1) && pre.apply(0) == 0)
    }

    @Test("unknown class name → one-line error naming the file")
    func unknownClass() {
        #expect(throws: InputError.self) { try dataset().trainingInputs(excluding: "zz", path: "data.h5") }
        do { _ = try dataset().trainingInputs(excluding: "zz", path: "data.h5") } catch {
            #expect("\(error)".hasPrefix("unknown class 'zz' in data.h5") && !"\(error)".contains("\n"))
        }
    }

    @Test("checkpoint round trip keeps architecture, options and names")
    func checkpointRoundTrip() throws {
        var cfg = NetworkConfig(kind: .bnn, classes: 4, bayesianBias: true)
        cfg.grids = [GridShape(3, 8)]
        let net = CaloNetwork(config: cfg, prior: ScaleMixturePrior(pi: 0.25, sigma1: 1.5, sigma2: 0.01), seed: 3)
        var opt = TrainingOptions(); opt.seed = 99; opt.batchSize = 32; opt.patience = 3; opt.validationFraction = 0.1
        var st = TrainingState(network: net, options: opt, classNames: ["p", "q", "r", "s"], preprocessing: "pp", trainingCount: 17)
        st.history.trainLoss = [1, 2]; st.history.trainAccuracy = [0.1, 0.2]
        st.history.validationLoss = [3, 4]; st.history.validationAccuracy = [0.3, 0.4]; st.history.klPerExample = [0.5, 0.25]
        st.epochsCompleted = 2; st.bestEpoch = 1; st.bestValidationLoss = 3; st.adamMu.step = 7
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calobnn-rt-\(getpid()).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Checkpoint.save(st, to: path)
        let back = try Checkpoint.load(from: path)
        #expect(back.config == cfg && back.options == opt && back.classNames == st.classNames)
        #expect(back.priorName == st.priorName && back.preprocessing == "pp" && back.trainingCount == 17)
        #expect(back.history == st.history && back.adamMu == st.adamMu && back.mu == st.mu && back.rho == st.rho)
        #expect(try back.bestNetwork().prior.name == st.priorName)
    }
}

/// The learning-rate schedule against values computed by hand from its formula.
@Suite("Learning-rate schedule")
struct ScheduleTests {
    /// α(e) at peak 10⁻³, within 10⁻⁶ of the peak (the cosine is a float polynomial).
    func expectRates(_ s: LearningRateSchedule, epochs: Int, _ expected: [Int: Double]) {
        for (e, want) in expected.sorted(by: { $0.key < $1.key }) {
            let got = Double(s.rate(epoch: e, epochs: epochs, peak: 1e-3))
            #expect(abs(got - want) <= 1e-9, "\(s) epoch \(e) of \(epochs): \(got), expected \(want)")
        }
    }

    @Test("constant: α in every epoch, after a linear warm-up")
    func constant() {
        expectRates(.constant, epochs: 5, [0: 1e-3, 4: 1e-3])
        // w = 4: α/4, 2α/4, 3α/4, α, then α.
        expectRates(LearningRateSchedule(.constant, warmupEpochs: 4), epochs: 10, [0: 2.5e-4, 1: 5e-4, 2: 7.5e-4, 3: 1e-3, 4: 1e-3, 9: 1e-3])
        #expect(LearningRateSchedule.constant.rate(epoch: 3, epochs: 5, peak: 1e-3) == Float(1e-3), "no warm-up: exactly the peak")
    }

    @Test("cosine: α · ½(1 + cos(π (e − w)/(E − w))) after the warm-up")
    func cosine() {
        // E = 4, w = 0: ½(1 + cos 0, cos π/4, cos π/2, cos 3π/4) = 1, 0.853553, 0.5, 0.146447.
        expectRates(LearningRateSchedule(.cosine), epochs: 4, [0: 1e-3, 1: 0.853_553_4e-3, 2: 0.5e-3, 3: 0.146_446_6e-3])
        // E = 10, w = 2: α/2, α; then p = 0 (α), 4/8 (α/2), 7/8 (½(1 − cos π/8) α = 0.0380602 α).
        expectRates(LearningRateSchedule(.cosine, warmupEpochs: 2), epochs: 10,
                    [0: 5e-4, 1: 1e-3, 2: 1e-3, 6: 5e-4, 9: 0.038_060_23e-3])
        #expect(LearningRateSchedule(.cosine, warmupEpochs: 2).description == "cosine+warmup(2)")
    }

    @Test("a warm-up as long as the run is refused")
    func badWarmup() {
        #expect(LearningRateSchedule(.cosine, warmupEpochs: 10).problem(epochs: 10) != nil)
        #expect(LearningRateSchedule(.cosine, warmupEpochs: 9).problem(epochs: 10) == nil)
        #expect(LearningRateSchedule(.constant, warmupEpochs: -1).problem(epochs: 10) != nil)
    }
}
