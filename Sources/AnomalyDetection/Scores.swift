// Anomaly scores (study §5 and §6): documented functions of the Monte-Carlo outputs of a BNN,
// of a deterministic network's softmax, and of a deep ensemble. Larger = more anomalous.
//
// Shapes: N = events, K = output nodes, T = weight samples (or ensemble members).
import Classification
import PortableMath
import Foundation

/// One anomaly score: a name for tables and a function of an event's predictions.
public struct AnomalyScore: Sendable {
    /// Short name used as a column key, e.g. `"bnn_std_pred"`.
    public let key: String
    /// Label for tables and figures.
    public let label: String
    /// Which model family the score needs.
    public let family: Family
    /// The score of event n.
    public let evaluate: @Sendable (PredictionSet, Int) -> Double

    /// The model family whose predictions a score reads.
    public enum Family: String, Sendable {
        /// A Bayesian network's Monte-Carlo outputs.
        case bnn
        /// A deterministic network's softmax (T = 1).
        case deterministic
        /// A deep ensemble's members, combined by ``ensemble(_:)``.
        case ensemble
    }

    /// A score from its parts.
    public init(key: String, label: String, family: Family, evaluate: @escaping @Sendable (PredictionSet, Int) -> Double) {
        self.key = key; self.label = label; self.family = family; self.evaluate = evaluate
    }
}

/// Entropy −Σₖ pₖ ln pₖ of a probability vector, nats (0 ln 0 = 0).
@inline(__always) public func entropy<C: Collection>(_ p: C) -> Double where C.Element == Float {
    var h = 0.0
    for x in p where x > 0 { h -= Double(x) * PortableMath.log(Double(x)) }
    return h
}

extension PredictionSet {
    /// The K predictive means of event n.
    @inline(__always) public func means(_ n: Int) -> ArraySlice<Float> { mean[n * classes ..< (n + 1) * classes] }
    /// The K standard deviations of event n.
    @inline(__always) public func stds(_ n: Int) -> ArraySlice<Float> { std[n * classes ..< (n + 1) * classes] }
    /// The T per-sample decisions of event n.
    @inline(__always) public func decisions(_ n: Int) -> ArraySlice<UInt8> { argmax[n * samples ..< (n + 1) * samples] }

    /// Fraction of the T weight samples whose argmax differs from the most frequent one.
    public func disagreement(_ n: Int) -> Double {
        var votes = [Int](repeating: 0, count: max(classes, 1))
        for d in decisions(n) where Int(d) < classes { votes[Int(d)] += 1 }
        return samples == 0 ? 0 : 1 - Double(votes.max() ?? 0) / Double(samples)
    }
}

/// The scores of the study's table (ISSUE: every score for every removed class).
public enum StudyScores {
    /// BNN: standard deviation of the predicted node (the talk's quantity).
    public static let bnnStdPredicted = AnomalyScore(key: "bnn_std_pred", label: "BNN σ of predicted node", family: .bnn) { s, n in
        Double(s.std[n * s.classes + s.predicted(n)])
    }
    /// BNN: the largest standard deviation over the K nodes.
    public static let bnnStdMax = AnomalyScore(key: "bnn_std_max", label: "BNN max σ", family: .bnn) { s, n in
        Double(s.stds(n).max() ?? 0)
    }
    /// BNN: the summed standard deviation over the K nodes.
    public static let bnnStdSum = AnomalyScore(key: "bnn_std_sum", label: "BNN Σ σ", family: .bnn) { s, n in
        s.stds(n).reduce(0) { $0 + Double($1) }
    }
    /// BNN: predictive entropy H[p̄] = −Σₖ p̄ₖ ln p̄ₖ (total uncertainty).
    public static let bnnEntropy = AnomalyScore(key: "bnn_entropy", label: "BNN predictive entropy", family: .bnn) { s, n in
        entropy(s.means(n))
    }
    /// BNN: mutual information I = H[p̄] − (1/T) Σₜ H[pₜ] (epistemic part; needs the expected
    /// entropy recorded at prediction).
    public static let bnnMutualInformation = AnomalyScore(key: "bnn_mi", label: "BNN mutual information", family: .bnn) { s, n in
        entropy(s.means(n)) - Double(s.expectedEntropy?[n] ?? .nan)
    }
    /// BNN: fraction of weight samples whose decision disagrees with the majority ("jumpy").
    public static let bnnDisagreement = AnomalyScore(key: "bnn_disagree", label: "BNN decision disagreement", family: .bnn) { s, n in
        s.disagreement(n)
    }
    /// Deterministic: 1 − max softmax (Hendrycks & Gimpel 2017's baseline).
    public static let detMaxSoftmax = AnomalyScore(key: "det_1_minus_max", label: "det. 1 − max softmax", family: .deterministic) { s, n in
        1 - Double(s.means(n).max() ?? 0)
    }
    /// Deterministic: softmax entropy.
    public static let detEntropy = AnomalyScore(key: "det_entropy", label: "det. softmax entropy", family: .deterministic) { s, n in
        entropy(s.means(n))
    }
    /// Deep ensemble: standard deviation of the predicted node across the members.
    public static let ensembleStdPredicted = AnomalyScore(key: "ens_std_pred", label: "ensemble σ of predicted node", family: .ensemble) { s, n in
        Double(s.std[n * s.classes + s.predicted(n)])
    }
    /// Deep ensemble: mutual information across the members.
    public static let ensembleMutualInformation = AnomalyScore(key: "ens_mi", label: "ensemble mutual information", family: .ensemble) { s, n in
        entropy(s.means(n)) - Double(s.expectedEntropy?[n] ?? .nan)
    }

    /// All scores, in table order.
    public static let all: [AnomalyScore] = [
        bnnStdPredicted, bnnStdMax, bnnStdSum, bnnEntropy, bnnMutualInformation, bnnDisagreement,
        detMaxSoftmax, detEntropy, ensembleStdPredicted, ensembleMutualInformation,
    ]
}

/// Combine M deterministic members' softmax outputs into an ensemble prediction set: mean and
/// std over members per node, the members' decisions as "samples", and the mean member entropy.
public func ensemble(_ members: [PredictionSet]) -> PredictionSet {
    precondition(!members.isEmpty)
    let n = members[0].count, k = members[0].classes, m = members.count
    for s in members { precondition(s.count == n && s.classes == k && s.label == members[0].label, "ensemble members must predict the same events") }
    var mean = [Float](repeating: 0, count: n * k), std = [Float](repeating: 0, count: n * k)
    var decisions = [UInt8](repeating: 0, count: n * m), expected = [Float](repeating: 0, count: n)
    for i in 0 ..< n {
        for j in 0 ..< k {
            var s1 = 0.0, s2 = 0.0
            for s in members { let p = Double(s.mean[i * k + j]); s1 += p; s2 += p * p }
            let mu = s1 / Double(m)
            mean[i * k + j] = Float(mu)
            std[i * k + j] = Float(max(s2 / Double(m) - mu * mu, 0).squareRoot())
        }
        for (a, s) in members.enumerated() {
            decisions[i * m + a] = UInt8(s.predicted(i))
            expected[i] += Float(entropy(s.means(i)) / Double(m))
        }
    }
    return PredictionSet(mean: mean, std: std, argmax: decisions, expectedEntropy: expected, label: members[0].label, classes: k)
}
