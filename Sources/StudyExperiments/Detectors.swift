// Dedicated anomaly detectors on the deterministic twin (beyond the talk, §6): each is fitted on
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

    /// The shrinkage λ of the Mahalanobis covariance (our choice).
    public static let shrinkage = 0.1

    /// Name and settings, recorded in the score file.
    public var description: String {
        switch self {
        case .energy: "energy (−logsumexp of the logits, T = 1)"
        case .mahalanobis: "mahalanobis (pooled features, shared covariance, shrinkage \(Detector.shrinkage))"
        }
    }

    /// Label for tables.
    public var label: String {
        switch self {
        case .energy: "det. energy"
        case .mahalanobis: "det. Mahalanobis"
        }
    }

    /// Fit (if needed) and score: read `model`, fit on the known classes of `training` (the
    /// Mahalanobis detector; the class the model was not trained on is left out), score every
    /// event of `data`, and write the score file `output` atomically. Returns the summary line.
    public func run(model: NamedFile, data: NamedFile, training: NamedFile?, threads: Int, output: String) throws -> String {
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
            let trainSet = try ExperimentInputs.dataset(training)
            let removed = trainSet.provenance.classNames.filter { !known.contains($0) && trainSet.batch.label.contains(Int32(trainSet.provenance.classNames.firstIndex(of: $0)!)) }
            guard removed.count <= 1 else { throw InputError("\(training.name) \(training.path): holds more than one class the model does not know (\(removed.joined(separator: ", ")))") }
            let fit = try trainSet.trainingInputs(excluding: removed.first, outputs: known, preprocessing: pre, path: training.path)
            let t1 = Date()
            let gaussians = ClassGaussians(features: net.pooledFeatures(x: fit.cells, count: fit.labels.count, threads: threads),
                                           labels: fit.labels, classes: known.count, shrinkage: Detector.shrinkage)
            fitSeconds = Date().timeIntervalSince(t1)
            let f = net.pooledFeatures(x: test.cells, count: n, threads: threads)
            scores = (0 ..< n).map { gaussians.minimumDistance(Array(f[$0 * gaussians.dimension ..< ($0 + 1) * gaussians.dimension])) }
        }
        let seconds = Date().timeIntervalSince(t0) - fitSeconds
        // The file stores the dataset's own labels; events are in the dataset's order.
        try ScoreFile.write(scores, to: output, detector: description, outputClasses: known, dataset: dataset, dataPath: data.path,
                            modelIdentity: Checkpoint.identity(of: state), modelPath: model.path, fitSeconds: fitSeconds, seconds: seconds)
        return "detect \(rawValue): \(n) events scored (fit \(fmt3(fitSeconds)) s, score \(fmt3(seconds)) s) → \(output)"
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
