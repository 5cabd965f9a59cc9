// Dedicated anomaly detectors (beyond the talk, §6), on the deterministic twin or on the images: each is fitted on
// the known classes only — the same leave-one-class-out split as §5 — and scores every test event,
// larger = more anomalous. Written as StudyData `ScoreFile`s, evaluated beside the §5 scores.
//
// - **energy**: the twin's free energy E(x) = −log Σₖ exp zₖ(x) of its logits z (Liu et al. 2020,
//   arXiv:2010.03759; temperature 1). Low energy = the network's logits are large for some known
//   class; unlike the softmax it keeps the logits' overall scale. Nothing to fit.
// - **mahalanobis**: class-conditional Gaussians with one shared covariance on the twin's learned
//   features (Lee et al. 2018, arXiv:1807.03888), fitted on the training file's known classes;
//   score = the smallest squared Mahalanobis distance to a class mean. Our choices: the features are
//   the post-ReLU convolution outputs pooled per branch and filter (mean and maximum over positions,
//   48 numbers; the 4032 raw features would need a 4032 × 4032 covariance from a few thousand
//   events), and the covariance is shrunk towards a multiple of the identity,
//   Σ_λ = (1 − λ) Σ + λ (tr Σ / p) I with λ = 0.1 fixed, so it is well conditioned.
// - **autoencoder**: a dense autoencoder 504 → 32 (ReLU) → 504 (BayesianNetworks' `Autoencoder`,
//   where the architecture is justified) trained on the training file's known classes, in the twin's
//   input space (the preprocessed cells the networks see); score = its mean squared reconstruction
//   error. Unlike the two above it does not use the twin at all (the twin only names the known classes).
// - **autoencoder-normalised**: the same, trained and scored on energy-normalised inputs (every event
//   rescaled to 20 GeV before the logarithm, `Preprocessing.energyNormalised`): raw reconstruction
//   error favours anomalies with more energy and more structure (Finke et al. 2021,
//   arXiv:2104.09051), and at a fixed gun kinetic energy the energy sum carries the parent's mass.
import BayesianNetworks
import Foundation
import PortableMath
import StudyData

/// A dedicated anomaly detector on a trained network.
public enum Detector: String, CaseIterable, Sendable {
    /// The twin's free energy −logsumexp(logits).
    case energy
    /// Smallest squared Mahalanobis distance of the pooled features to a known class.
    case mahalanobis
    /// Reconstruction error of a dense autoencoder trained on the known classes.
    case autoencoder
    /// The same on energy-normalised inputs.
    case autoencoderNormalised = "autoencoder-normalised"

    /// The shrinkage λ of the Mahalanobis covariance (our choice).
    public static let shrinkage = 0.1

    /// Name and settings, recorded in the score file.
    public var description: String {
        switch self {
        case .energy: "energy (−logsumexp of the logits, T = 1)"
        case .mahalanobis: "mahalanobis (pooled features, shared covariance, shrinkage \(Detector.shrinkage))"
        case .autoencoder: "autoencoder (dense 504-\(Autoencoder.defaultHidden)-504, ReLU, mean squared reconstruction error)"
        case .autoencoderNormalised: "autoencoder-normalised (dense 504-\(Autoencoder.defaultHidden)-504 on energy-normalised inputs, mean squared reconstruction error)"
        }
    }

    /// Whether the detector trains a network of its own (and so needs `--training` and a seed).
    public var isTrained: Bool { self == .autoencoder || self == .autoencoderNormalised }

    /// Label for tables.
    public var label: String {
        switch self {
        case .energy: "det. energy"
        case .mahalanobis: "det. Mahalanobis"
        case .autoencoder: "AE"
        case .autoencoderNormalised: "AE (normalised)"
        }
    }

    /// Fit (if needed) and score: read `model`, fit on the known classes of `training` (the
    /// Mahalanobis detector and the autoencoders; the class the model was not trained on is left
    /// out), score every event of `data`, and write the score file `output` atomically. Returns the
    /// summary line.
    ///
    /// The autoencoders also need `seed` (the master seed; the training's own derives from it and
    /// the removed class, ``StudySeeds/autoencoder(master:removed:member:)``) and take their options from
    /// `autoencoder` (epochs; seed and threads are set here); with `validation` the epoch of the
    /// lowest reconstruction error on its known classes is kept. The fit seconds recorded are the
    /// training's wall time.
    /// `member` ≥ 1 trains from another seed of the same master (``StudySeeds/autoencoder(master:removed:member:)``).
    public func run(model: NamedFile, data: NamedFile, training: NamedFile?, validation: NamedFile? = nil, seed: UInt64? = nil,
                    member: Int = 0, autoencoder: AutoencoderOptions = AutoencoderOptions(), threads: Int, output: String) throws -> String {
        let (state, pre, net) = try ExperimentInputs.model(model)
        let dataset = try ExperimentInputs.dataset(data)
        let known = state.classNames
        // The test events in the model's input space; classes it never saw keep label K.
        let test = try dataset.trainingInputs(outputs: known + dataset.provenance.classNames.filter { !known.contains($0) },
                                              preprocessing: pre, path: data.path)
        let n = test.labels.count
        var fitSeconds = 0.0
        let t0 = Date()
        var scores: [Double]
        // What the score file records as the detector: its settings, and for a trained one its run.
        var recorded = description
        switch self {
        case .energy:
            let z = net.logits(x: test.cells, count: n, threads: threads), k = known.count
            scores = (0 ..< n).map { e in
                let row = z[e * k ..< (e + 1) * k].map(Double.init)
                let m = row.max()!
                var s = 0.0
                for v in row { s += PortableMath.exp(v - m) }
                return -(m + PortableMath.log(s))
            }
        case .mahalanobis:
            guard let training else { throw InputError("mahalanobis needs --training (the file the class Gaussians are fitted on)") }
            let (trainSet, removed) = try Detector.knownClassFile(training, known: known)
            let fit = try trainSet.trainingInputs(excluding: removed, outputs: known, preprocessing: pre, path: training.path)
            let t1 = Date()
            let gaussians = ClassGaussians(features: net.pooledFeatures(x: fit.cells, count: fit.labels.count, threads: threads),
                                           labels: fit.labels, classes: known.count, shrinkage: Detector.shrinkage)
            fitSeconds = Date().timeIntervalSince(t1)
            let f = net.pooledFeatures(x: test.cells, count: n, threads: threads)
            scores = (0 ..< n).map { gaussians.minimumDistance(Array(f[$0 * gaussians.dimension ..< ($0 + 1) * gaussians.dimension])) }
        case .autoencoder, .autoencoderNormalised:
            guard let training else { throw InputError("\(rawValue) needs --training (the file the autoencoder is trained on)") }
            guard let seed else { throw InputError("\(rawValue) needs --seed (it trains a network)") }
            let (trainSet, removed) = try Detector.knownClassFile(training, known: known)
            // The study's variant sees the twin's inputs; the normalised one always energy-normalised cells.
            let aePre = self == .autoencoder ? pre : .energyNormalised
            let fit = try trainSet.trainingInputs(excluding: removed, outputs: known, preprocessing: aePre, path: training.path)
            let valInputs = try validation.map { v -> TrainingInputs in
                let (valSet, valRemoved) = try Detector.knownClassFile(v, known: known)
                return try valSet.trainingInputs(excluding: valRemoved, outputs: known, preprocessing: aePre, path: v.path)
            }
            var options = autoencoder
            options.threads = threads
            options.seed = StudySeeds.autoencoder(master: seed, removed: removed.flatMap { trainSet.provenance.classNames.firstIndex(of: $0) },
                                                  member: member)
            recorded += "; \(options.epochs) epochs, batch \(options.batchSize), learning rate \(options.learningRate), seed \(options.seed) derived from --seed \(seed)\(member > 0 ? " and --member \(member)" : "")"
            let d = dataset.geometry.totalCells
            let t1 = Date()
            let (ae, _) = try Autoencoder.train(x: fit.cells, count: fit.labels.count, inputs: d,
                                                validation: valInputs.map { ($0.cells, $0.labels.count) }, options: options)
            fitSeconds = Date().timeIntervalSince(t1)
            let x = aePre == pre ? test.cells
                : try dataset.trainingInputs(outputs: known + dataset.provenance.classNames.filter { !known.contains($0) },
                                             preprocessing: aePre, path: data.path).cells
            scores = ae.reconstructionErrors(x: x, count: n, threads: threads)
        }
        let seconds = Date().timeIntervalSince(t0) - fitSeconds
        // The file stores the dataset's own labels; events are in the dataset's order.
        try ScoreFile.write(scores, to: output, detector: recorded, outputClasses: known, dataset: dataset, dataPath: data.path,
                            modelIdentity: Checkpoint.identity(of: state), modelPath: model.path, fitSeconds: fitSeconds, seconds: seconds)
        return "detect \(rawValue)\(recorded == description ? "" : " (" + recorded.dropFirst(description.count + 2) + ")"): \(n) events scored (fit \(fmt3(fitSeconds)) s, score \(fmt3(seconds)) s) → \(output)"
    }

    /// Read a file to fit on and name the class in it the model does not know (the removed one;
    /// nil if there is none). More than one such class is refused: it would be fitted as known.
    static func knownClassFile(_ file: NamedFile, known: [String]) throws -> (CaloDataset, String?) {
        let set: CaloDataset
        do { set = try CaloDataset.read(from: file.path) } catch { throw InputError("\(file.name) \(error)") }
        let names = set.provenance.classNames
        let removed = names.enumerated().filter { !known.contains($0.element) && set.batch.label.contains(Int32($0.offset)) }.map(\.element)
        guard removed.count <= 1 else { throw InputError("\(file.name) \(file.path): holds more than one class the model does not know (\(removed.joined(separator: ", ")))") }
        return (set, removed.first)
    }
}

private func fmt3(_ x: Double) -> String { String(format: "%.1f", x) }

/// Class-conditional Gaussians with one shared, shrunk covariance (its Cholesky factor), in
/// double precision with every sum in a fixed order.
public struct ClassGaussians: Sendable {
    /// Feature dimension p.
    public let dimension: Int
    /// Class means (K × p).
    public let means: [[Double]]
    /// Lower Cholesky factor L of Σ_λ = L Lᵀ (p × p, row-major).
    let cholesky: [Double]

    /// Fit on `features` (N × p, row-major) with labels 0..<`classes`.
    public init(features: [Float], labels: [Int32], classes: Int, shrinkage: Double) {
        let n = labels.count, p = features.count / max(n, 1)
        dimension = p
        var mu = [[Double]](repeating: [Double](repeating: 0, count: p), count: classes)
        var counts = [Int](repeating: 0, count: classes)
        for e in 0 ..< n {
            let c = Int(labels[e]); counts[c] += 1
            for j in 0 ..< p { mu[c][j] += Double(features[e * p + j]) }
        }
        for c in 0 ..< classes where counts[c] > 0 { for j in 0 ..< p { mu[c][j] /= Double(counts[c]) } }
        var cov = [Double](repeating: 0, count: p * p)
        for e in 0 ..< n {
            let c = Int(labels[e])
            let d = (0 ..< p).map { Double(features[e * p + $0]) - mu[c][$0] }
            for a in 0 ..< p { for b in 0 ... a { cov[a * p + b] += d[a] * d[b] } }
        }
        var trace = 0.0
        for a in 0 ..< p { for b in 0 ... a { cov[a * p + b] /= Double(max(n, 1)); cov[b * p + a] = cov[a * p + b] }; trace += cov[a * p + a] }
        let ridge = shrinkage * trace / Double(max(p, 1))
        for a in 0 ..< p { for b in 0 ..< p { cov[a * p + b] *= (1 - shrinkage) }; cov[a * p + a] += max(ridge, 1e-12) }
        // Cholesky–Banachiewicz, row by row.
        var l = [Double](repeating: 0, count: p * p)
        for i in 0 ..< p {
            for j in 0 ... i {
                var s = cov[i * p + j]
                for k in 0 ..< j { s -= l[i * p + k] * l[j * p + k] }
                l[i * p + j] = i == j ? s.squareRoot() : s / l[j * p + j]
            }
        }
        means = mu; cholesky = l
    }

    /// min over classes of (f − μ_k)ᵀ Σ_λ⁻¹ (f − μ_k), by forward substitution L y = f − μ_k.
    public func minimumDistance(_ f: [Double]) -> Double {
        let p = dimension
        var best = Double.infinity
        var y = [Double](repeating: 0, count: p)
        for mu in means {
            var d2 = 0.0
            for i in 0 ..< p {
                var s = f[i] - mu[i]
                for k in 0 ..< i { s -= cholesky[i * p + k] * y[k] }
                y[i] = s / cholesky[i * p + i]
                d2 += y[i] * y[i]
            }
            best = min(best, d2)
        }
        return best
    }

    /// The same for a Float feature row.
    public func minimumDistance(_ f: [Float]) -> Double { minimumDistance(f.map(Double.init)) }
}
