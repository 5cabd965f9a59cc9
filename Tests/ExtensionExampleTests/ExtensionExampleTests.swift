// The worked extension example of the DocC articles "Adding an anomaly class"
// (CalorimeterSimulation) and "Adding a prior" (BayesianNetworks): a user registers the decay
// ω → π⁰γ and writes a Laplace prior, then runs study §5's leave-one-class-out experiment for ω
// at toy sizes — simulate, train a BNN and its twin without ω, predict with T weight samples, and
// evaluate every anomaly score with the library's `LeaveOneOut` (the code `make reproduce` runs).
// Public API only (no @testable): this is the code a user writes. The articles quote
// it verbatim (checked by the last test), so the documentation cannot rot.
//
// Sources: the one-sample KL estimate is Blundell et al. 2015 (arXiv:1505.05424, §3.2); the
// closed form it is checked against uses the mean of the folded normal (Leone, Nelson &
// Nottingham 1961, Technometrics 3, 543).
import AnomalyDetection
import BayesianNetworks
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyExperiments
import Testing

// MARK: - The user's code: a new class and a new prior

/// The CLI's registry (the study's ten classes, labels 0–9, and the extra electron, 10) plus
/// ω → π⁰γ, label 11. The ω(782) decays to π⁰γ in 8 % of cases; force it, and let the π⁰ decay
/// to γγ.
func registryWithOmega() -> EventRegistry {
    let omega = Species(name: "omega", mass: 782.66)          // PDG 2024, MeV
    var registry = EventRegistry.withExtras
    registry.register(.decay("omega_pi0g", "ω → π⁰γ", summary: "3 γ",
                             parent: omega,
                             modes: [.twoBody(omega, .pi0, .photon), StudyDecays.pi0ToGammaGamma]))
    return registry
}

/// The Laplace prior p(w) = e^(−|w|/b) / (2b) on every weight: a sharper peak at 0 and heavier
/// tails than a Gaussian of the same variance 2b² (a sparsity prior). The engine knows it only
/// through its log-density, so the KL term is the one-sample estimate of `LogDensityPrior`.
struct LaplacePrior: LogDensityPrior {
    /// The scale b > 0 (weights are dimensionless).
    var scale: Double = 1

    /// Stored in the training state and its checkpoints, printed in the training log.
    var name: String { "laplace(\(scale))" }

    /// log p(w) = −log 2b − |w|/b and d log p/dw = −sign(w)/b (0 at the kink w = 0).
    func logDensity(_ w: Double) -> (value: Double, derivative: Double) {
        (-PortableMath.log(2 * scale) - abs(w) / scale, w > 0 ? -1 / scale : w < 0 ? 1 / scale : 0)
    }
}

// MARK: - The leave-one-out experiment of study §5 for ω, at toy sizes

/// Toy sizes: seconds in a release build, statistics far below the Paper's (`PROFILE=default`).
struct ToySizes {
    var trainPerClass = 1000, validationPerClass = 200, testPerClass = 200
    var epochs = 8, batch = 128, samples = 30
}

/// What the experiment produces.
struct LeaveOmegaOut {
    /// The BNN's finished training run; `state.history` holds the per-epoch losses.
    var state: TrainingState
    /// The BNN's Monte-Carlo predictions on the test set, (N, K); labels are output indices, ω → K.
    var predictions: PredictionSet
    /// Study §5's evaluation of ω: every anomaly score of the BNN and of its twin, AUROC ± bootstrap.
    var result: LeaveOneOut.ClassResult
}

/// Simulate → train the BNN and its twin without ω → predict → study §5's leave-one-out
/// evaluation (StudyExperiments); every random number derives from `seed`.
func leaveOmegaOut(seed: UInt64, threads: Int, sizes: ToySizes = ToySizes()) throws -> LeaveOmegaOut {
    // 1. Simulate the ten study classes and ω; each split has its own seed, by a named salt.
    let registry = registryWithOmega()
    let omegaLabel = registry.index(of: "omega_pi0g")!
    let labels = Array(0 ..< 10) + [omegaLabel]
    func simulate(_ split: String, perClass: Int) -> CaloDataset {
        let splitSeed = SeedDerivation.seed(seed, salt: split)
        let generator = EventGenerator(simulator: EventSimulator(registry: registry), seed: splitSeed, threads: threads)
        let provenance = DatasetProvenance(classNames: registry.classes.map(\.name), seed: splitSeed, mode: "total",
                                           noise: false, gunDistanceMM: 1000, gunEnergyGeV: 20)
        return CaloDataset(batch: generator.generate(labels: labels, perClass: perClass), provenance: provenance)
    }
    let train = simulate("train", perClass: sizes.trainPerClass)
    let validation = simulate("validation", perClass: sizes.validationPerClass)
    let test = simulate("test", perClass: sizes.testPerClass)

    // 2. Train a BNN with the Laplace prior, and its deterministic twin, on the known classes
    //    only (K = 10 outputs), from the seed the study derives for "ω removed".
    let inputs = try train.trainingInputs(excluding: "omega_pi0g", path: "train")
    let held = try validation.trainingInputs(excluding: "omega_pi0g", outputs: inputs.classNames, path: "validation")
    let prior = LaplacePrior(scale: 1)
    let runSeed = StudySeeds.training(master: seed, removed: omegaLabel, member: 0)
    func trained(_ kind: ModelKind) throws -> TrainingState {
        let network = CaloNetwork(config: NetworkConfig(kind: kind, classes: inputs.classNames.count),
                                  prior: prior, seed: runSeed)
        var options = TrainingOptions()
        options.epochs = sizes.epochs; options.batchSize = sizes.batch; options.seed = runSeed
        options.validationFraction = 0; options.threads = threads; options.verbose = false
        let start = TrainingState(network: network, options: options, classNames: inputs.classNames,
                                  preprocessing: Preprocessing().name, trainingCount: inputs.labels.count)
        return try Training.run(state: start, cells: inputs.cells, labels: inputs.labels,
                                validation: (held.cells, held.labels), prior: prior)
    }
    let bnn = try trained(.bnn), twin = try trained(.deterministic)

    // 3. Predict the test set, ω included, with T weight samples (the twin: one pass). Known
    //    classes keep their output index and ω gets K (one past the last output), as in
    //    `calobnn predict` files.
    let tested = try test.trainingInputs(outputs: inputs.classNames + ["omega_pi0g"], path: "test")
    func predictions(_ state: TrainingState, samples: Int) throws -> PredictionSet {
        let mc = try state.bestNetwork(prior: prior)
            .predict(x: tested.cells, count: tested.labels.count, samples: samples, seed: seed, threads: threads)
        return PredictionSet(mean: mc.mean, std: mc.std, argmax: mc.argmax,
                             expectedEntropy: mc.expectedEntropy, label: tested.labels, classes: mc.classes)
    }
    let bnnPredictions = try predictions(bnn, samples: sizes.samples)
    let twinPredictions = try predictions(twin, samples: 1)

    // 4. Study §5's evaluation, as `make reproduce` runs it for the study's classes: every score
    //    of the BNN and of the twin, AUROC of ω against the known classes with bootstrap errors.
    let configuration = LeaveOneOut.Configuration(removedClasses: ["omega_pi0g"], ensembleMembers: 0,
                                                  bootstrapReplicates: 50, bootstrapSeed: seed,
                                                  registry: registry, profile: "toy")
    let result = LeaveOneOut.evaluate(LeaveOneOut.ClassInputs(removed: "omega_pi0g", bnn: bnnPredictions, det: twinPredictions),
                                      configuration)
    return LeaveOmegaOut(state: bnn, predictions: bnnPredictions, result: result)
}

// MARK: - The tests' own re-derivation (not the user's code)

/// KL(N(μ, σ²) ‖ Laplace(0, b)) in closed form, with its gradient:
/// ```
/// KL     = log 2b − ½ log(2πe σ²) + E|w|/b,   E|w| = σ √(2/π) e^(−μ²/2σ²) + μ erf(μ/σ√2)
/// ∂KL/∂μ = erf(μ/σ√2) / b,                    ∂KL/∂σ = −1/σ + √(2/π) e^(−μ²/2σ²) / b
/// ```
/// (E|w| is the mean of the folded normal; its σ-derivative is 2φ(μ/σ).)
func laplaceKL(mu: Double, sigma: Double, scale b: Double) -> KLTerm {
    let z = mu / sigma, gauss = (2 / Double.pi).squareRoot() * exp(-0.5 * z * z)
    let meanAbs = sigma * gauss + mu * erf(z / 2.0.squareRoot())
    return KLTerm(value: log(2 * b) - 0.5 * log(2 * Double.pi * M_E * sigma * sigma) + meanAbs / b,
                  dMu: erf(z / 2.0.squareRoot()) / b, dSigma: -1 / sigma + gauss / b)
}

/// Mean and standard error of the mean.
func meanAndError(_ x: [Double]) -> (mean: Double, error: Double) {
    let m = x.reduce(0, +) / Double(x.count)
    let v = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
    return (m, (v / Double(x.count)).squareRoot())
}

@Suite("Extension example: ω → π⁰γ and a Laplace prior")
struct ExtensionExampleTests {
    @Test("the new class has label 11, three photons, and conserves four-momentum")
    func kinematics() throws {
        let r = registryWithOmega()
        let label = try #require(r.index(of: "omega_pi0g"))
        #expect(label == 11)
        guard case let .decayChain(parent, modes) = r.classes[label].recipe else { Issue.record("not a decay chain"); return }
        let rng = RandomStream(seed: 31)
        let gun = ParticleGun()
        let p = gun.momentum(mass: parent.mass)
        for _ in 0 ..< 5000 {
            let fs = EventSimulator.finalState(parent: parent, modes: modes, gun: gun, rng: rng)
            #expect(fs.count == 3 && fs.allSatisfy { $0.species == .photon })
            let q = fs.map(\.momentum)
            let sum = q.reduce(FourMomentum(e: 0, px: 0, py: 0, pz: 0), +)
            #expect(abs(sum.e - p.e) < 1e-8 * p.e && abs(sum.pz - p.pz) < 1e-8 * p.e)
            #expect(abs(sum.mass - parent.mass) < 0.1)
            // A photon pair reconstructs the π⁰ (to the precision of m² at 20 GeV; another pair may
            // fall within 0.05 MeV of m_π by chance, so "at least one").
            let pairs = [(0, 1), (0, 2), (1, 2)].filter { abs((q[$0.0] + q[$0.1]).mass - Species.pi0.mass) < 0.05 }
            #expect(pairs.count >= 1)
        }
    }

    @Test("events of the new class simulate alongside the study's, deterministically")
    func simulate() throws {
        let r = registryWithOmega()
        let label = try #require(r.index(of: "omega_pi0g"))
        let gen = EventGenerator(simulator: EventSimulator(registry: r), seed: 7, threads: 2)
        let batch = gen.generate(labels: [0, label], perClass: 50)
        let again = EventGenerator(simulator: EventSimulator(registry: r), seed: 7, threads: 1).generate(labels: [0, label], perClass: 50)
        #expect(batch.cells == again.cells)
        let g = CalorimeterGeometry.caloGAN
        // Mean total energy of ω events ≈ T + m = 20.78 GeV (minus small leakage).
        var total = 0.0
        for e in 50 ..< 100 { total += batch.cells[e * g.totalCells ..< (e + 1) * g.totalCells].reduce(0) { $0 + Double($1) } + batch.overflow[e * 3 ..< e * 3 + 3].reduce(0) { $0 + Double($1) } }
        #expect(abs(total / 50 - 20782) < 300)
    }

    /// The engine's one-sample estimate log q(w) − log p(w) at w = μ + σε and its gradient,
    /// averaged over 200 000 draws of ε, against the closed form. Tolerance: 5 standard errors of
    /// the Monte-Carlo mean (the estimator is unbiased; the draws are seeded, so this is fixed).
    @Test("Laplace prior: the one-sample KL and its gradient average to the closed form", arguments: [
        (0.0, 0.05, 1.0), (0.3, 0.1, 1.0), (-1.2, 0.5, 1.0), (0.5, 2.0, 1.0), (0.02, 0.05, 0.1),
    ])
    func laplaceKLMatchesClosedForm(mu: Double, sigma: Double, scale: Double) {
        let prior = LaplacePrior(scale: scale)
        let exact = laplaceKL(mu: mu, sigma: sigma, scale: scale)
        #expect(exact.value.isFinite && exact.value >= 0, "KL(q‖p) = \(exact.value) must be finite and ≥ 0")
        let rng = NetworkRandom(seed: 2022, salt: "LaplaceKL")
        let terms = (0 ..< 200_000).map { _ in prior.klTerm(mu: mu, sigma: sigma, epsilon: rng.gaussian()) }
        for (what, estimates, want) in [("KL", terms.map(\.value), exact.value), ("∂KL/∂μ", terms.map(\.dMu), exact.dMu),
                                        ("∂KL/∂σ", terms.map(\.dSigma), exact.dSigma)] {
            let (m, se) = meanAndError(estimates)
            #expect(abs(m - want) <= 5 * se + 1e-12, "\(what): Monte-Carlo \(m) ± \(se), closed form \(want)")
        }
    }

    /// The same check through the network: ``CaloNetwork/klDivergence(noise:)`` sums the
    /// one-sample estimate over the ~40 600 Bayesian weights; its mean over 16 ε draws must match
    /// Σ closed form at the network's initial (μ, σ = softplus(ρ)). Tolerance: 5 standard errors.
    @Test("the network's KL with the Laplace prior averages to the closed form summed over its weights")
    func networkKL() {
        let prior = LaplacePrior(scale: 0.5)
        let net = CaloNetwork(config: NetworkConfig(kind: .bnn, classes: 10), prior: prior, seed: 5)
        var exact = 0.0
        for block in net.blocks where block.isBayesian {
            for i in block.range {
                exact += laplaceKL(mu: Double(net.mu[i]), sigma: Double(Softplus.value(net.rho[i])), scale: prior.scale).value
            }
        }
        let draws = (0 ..< 16).map { net.klDivergence(noise: NoiseKey(seed: 6, epoch: 0, step: $0)) }
        #expect(exact.isFinite && exact > 0 && draws.allSatisfy(\.isFinite))
        let (m, se) = meanAndError(draws)
        #expect(abs(m - exact) <= 5 * se, "network KL: Monte-Carlo \(m) ± \(se), closed form \(exact)")
    }

    /// The whole example: nothing here is a pinned number (toy sizes make them noise); it checks
    /// that the pipeline runs, that training lowered the loss, and that the AUROC is a probability.
    @Test("leave ω out: simulate, train with the Laplace prior, predict, the library's leave-one-out evaluation")
    func leaveOmegaOutRuns() throws {
        let sizes = ToySizes()
        let run = try leaveOmegaOut(seed: 2022, threads: 2, sizes: sizes)
        let h = run.state.history
        #expect(run.state.priorName == "laplace(1.0)")
        #expect(h.trainLoss.count == sizes.epochs && h.trainLoss.allSatisfy(\.isFinite) && h.validationLoss.allSatisfy(\.isFinite))
        #expect(h.trainLoss.last! < h.trainLoss.first!, "training loss per epoch: \(h.trainLoss)")
        let p = run.predictions
        #expect(p.classes == 10 && p.samples == sizes.samples && p.count == 11 * sizes.testPerClass)
        #expect(p.label.filter { $0 == 10 }.count == sizes.testPerClass)
        #expect(p.mean.allSatisfy(\.isFinite) && p.std.allSatisfy { $0.isFinite && $0 >= 0 })
        #expect(p.std.contains { $0 > 0 }, "a BNN's T samples must disagree somewhere")
        #expect(run.result.scores.count == StudyScores.all.filter { $0.family != .ensemble }.count)
        let r = run.result.scores[0]   // the BNN σ of the predicted node, the study's score
        print(String(format: "leave ω out (toy sizes, Laplace prior): train loss %.3f → %.3f over %d epochs, val acc %.3f, AUROC(BNN σ) %.3f ± %.3f",
                     h.trainLoss.first!, h.trainLoss.last!, h.trainLoss.count, h.validationAccuracy.last!, r.auroc, r.aurocError))
        for s in run.result.scores {
            #expect(s.auroc.isFinite && (0 ... 1).contains(s.auroc), "AUROC \(s.auroc)")
            #expect(s.aurocError.isFinite && (0 ... 1).contains(s.tprAt5))
        }
        #expect(run.result.stdQuantilesAnomalous.count == 3 && run.result.stdQuantilesKnown.count == 3)
        let kl = try run.state.bestNetwork(prior: LaplacePrior(scale: 1)).klDivergence()
        #expect(kl.isFinite && kl > 0, "KL of the trained posterior \(kl)")
        // The state names the prior: another prior is refused rather than silently swapped.
        #expect(throws: TrainingError.self) { try run.state.bestNetwork(prior: LaplacePrior(scale: 2)) }
    }

    @Test("leave ω out is deterministic: the same seed gives the same predictions on 1 and 2 threads")
    func leaveOmegaOutIsDeterministic() throws {
        let sizes = ToySizes(trainPerClass: 100, validationPerClass: 30, testPerClass: 30, epochs: 2, batch: 128, samples: 10)
        let a = try leaveOmegaOut(seed: 7, threads: 2, sizes: sizes)
        let b = try leaveOmegaOut(seed: 7, threads: 1, sizes: sizes)
        #expect(a.state.history == b.state.history)
        #expect(a.predictions.mean == b.predictions.mean && a.predictions.std == b.predictions.std)
        #expect(a.predictions.argmax == b.predictions.argmax)
        #expect(a.result.scores.map(\.auroc) == b.result.scores.map(\.auroc))
        #expect(a.result.scores.map(\.aurocError) == b.result.scores.map(\.aurocError))
    }

    /// Every ```swift block of the two articles must appear in this file (whitespace-insensitive),
    /// so what the reader copies is what this test runs.
    @Test("the articles quote this file's code verbatim")
    func articlesQuoteThisFile() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        func squeeze(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let source = squeeze(try String(contentsOf: here, encoding: .utf8))
        for article in ["Sources/CalorimeterSimulation/CalorimeterSimulation.docc/AddingAnAnomalyClass.md",
                        "Sources/BayesianNetworks/BayesianNetworks.docc/AddingAPrior.md"] {
            let text = try String(contentsOf: root.appendingPathComponent(article), encoding: .utf8)
            var blocks: [String] = [], current: [Substring]? = nil
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let t = line.trimmingCharacters(in: .whitespaces)
                if current == nil, t == "```swift" { current = [] }
                else if current != nil, t == "```" { blocks.append(current!.joined(separator: "\n")); current = nil }
                else if current != nil { current!.append(line) }
            }
            #expect(!blocks.isEmpty, "\(article) shows no swift code")
            for block in blocks {
                let quoted = source.contains(squeeze(block))  // a Bool, so a failure prints the block, not the file
                #expect(quoted, "\(article): this block is not in \(here.lastPathComponent):\n\(block)")
            }
        }
    }
}
