// AUROC with bootstrap uncertainty, TPR at fixed FPR, and the talk's A/B/C cases made
// quantitative (study §5).
import Classification
import Foundation
@_exported import StudyRandom

/// AUROC (with a bootstrap standard error), TPR at 5 % FPR, AUPR and FPR at 95 % TPR of one
/// score for one removed class.
public struct ScoreResult: Sendable {
    /// AUROC, anomaly = positive.
    public var auroc: Double
    /// Bootstrap standard deviation of the AUROC.
    public var aurocError: Double
    /// True-positive rate at 5 % false-positive rate.
    public var tprAt5: Double
    /// Area under the precision–recall curve (average precision), anomaly = positive.
    public var aupr: Double = .nan
    /// False-positive rate at 95 % true-positive rate.
    public var fprAt95: Double = .nan
    /// Bootstrap standard deviations of the AUPR and of the FPR at 95 % TPR (same replicates as
    /// the AUROC's).
    public var auprError: Double = .nan, fprAt95Error: Double = .nan
}

/// Evaluate a score: AUROC of anomalies (positive) against known classes (negative), TPR@5 %FPR,
/// AUPR and FPR@95 %TPR, and the bootstrap errors of AUROC, AUPR and FPR@95 %TPR from `replicates`
/// resamplings of both sets with replacement (the standard deviation over the replicates).
public func evaluate(anomalous: [Double], known: [Double], replicates: Int = 200, seed: UInt64) -> ScoreResult {
    let auc = ROC.auc(positive: anomalous, negative: known)
    var rng = SplitMix64(seed: seed)
    var aucs: [Double] = [], aps: [Double] = [], fprs: [Double] = []
    for _ in 0 ..< replicates {
        let a = (0 ..< anomalous.count).map { _ in anomalous[rng.below(anomalous.count)] }
        let k = (0 ..< known.count).map { _ in known[rng.below(known.count)] }
        aucs.append(ROC.auc(positive: a, negative: k))
        let (ap, fpr) = ROC.averagePrecisionAndFPR(atTPR: 0.95, positive: a, negative: k)
        aps.append(ap); fprs.append(fpr)
    }
    func sd(_ v: [Double]) -> Double {
        let m = v.reduce(0, +) / Double(max(v.count, 1))
        return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(v.count - 1, 1))).squareRoot()
    }
    var result = ScoreResult(auroc: auc, aurocError: sd(aucs), tprAt5: ROC.tpr(atFPR: 0.05, positive: anomalous, negative: known),
                             aupr: ROC.averagePrecision(positive: anomalous, negative: known),
                             fprAt95: ROC.fpr(atTPR: 0.95, positive: anomalous, negative: known))
    result.auprError = sd(aps); result.fprAt95Error = sd(fprs)
    return result
}

/// The talk's three kinds of anomalous examples, made quantitative (thresholds are our choice).
///
/// Precedence C → B → A, on the BNN's Monte-Carlo outputs of one event:
/// - **C** *jumpy decisions* — seen only by the BNN: ≥ `jumpyFraction` (5 %) of the weight
///   samples decide for another class than the majority, while the mean is confident (the
///   predicted node's mean ≥ `confidentMean`, 0.7), so a deterministic network would see a
///   clear decision;
/// - **B** *more than one active output node* — seen by the deterministic network too: at least
///   two nodes have mean ≥ `activeMean` (0.2);
/// - **A** *~0 variance* — the anomaly is not detected: no jumps and the predicted node's
///   σ < `quietStd` (0.01);
/// - **other**: none of these (one active node, steady, but σ ≥ `quietStd`).
///
/// Why C first: a jumpy event always has a second node with some mean output; with B first and
/// a low activity threshold C would be empty by construction (measured: with 0.1 and B first,
/// under 1 % of events qualify as C).
public struct CaseThresholds: Sendable {
    /// Mean output at which a node counts as active.
    public var activeMean: Float = 0.2
    /// Mean of the predicted node above which the mean counts as confident.
    public var confidentMean: Float = 0.7
    /// Fraction of disagreeing weight samples that makes a decision jumpy.
    public var jumpyFraction: Double = 0.05
    /// σ of the predicted node below which the output counts as ~0 variance.
    public var quietStd: Float = 0.01
    /// The documented defaults (fixed numbers, chosen by us while developing).
    public init() {}

    /// Quantile levels of ``fromKnown(_:known:)`` (our choice, fixed before computing them):
    /// the upper one for B and C, the lower one (1 − upper, written out) for A.
    public static let knownQuantile = 0.9, knownLowQuantile = 0.1

    /// Thresholds fixed on known events only — the anomaly never enters — so that each case
    /// selects about the same fraction (1 − `knownQuantile`, 10 %) of the known events and the
    /// anomalies' fractions can be read against that:
    /// - `quietStd`: the 10 % quantile of the known events' σ of the predicted node (A: below it);
    /// - `jumpyFraction`: just above the 90 % quantile of the decision disagreement of the known
    ///   events with a confident mean (≥ `confidentMean`; C: more disagreement than 90 % of the
    ///   confident known events — over all known events the quantile would be set by the
    ///   ambiguous ones, which cannot be C; disagreement comes in steps of 1/T, so the threshold is
    ///   that quantile + 1/T; no confident known event: over all of them);
    /// - `activeMean`: just above the 90 % quantile of their second-largest mean (B: a second node
    ///   more active than in 90 % of known events);
    /// - `confidentMean` stays 0.7 (C needs a confident mean, an absolute statement).
    /// For a deterministic network (T = 1) only `activeMean` is meaningful.
    public static func fromKnown(_ set: PredictionSet, known: [Int]) -> CaseThresholds {
        var t = CaseThresholds()
        guard !known.isEmpty else { return t }
        func quantile<T: Comparable>(_ v: [T], _ q: Double) -> T {
            let s = v.sorted()
            return s[min(s.count - 1, Int(q * Double(s.count)))]
        }
        let k = set.classes
        t.quietStd = quantile(known.map { set.std[$0 * k + set.predicted($0)] }, knownLowQuantile)
        let confident = known.filter { set.mean[$0 * k + set.predicted($0)] >= t.confidentMean }
        t.jumpyFraction = quantile((confident.isEmpty ? known : confident).map { set.disagreement($0) }, knownQuantile)
            + 1 / Double(max(set.samples, 1))
        t.activeMean = quantile(known.map { n -> Float in
            let m = set.means(n).sorted(by: >)
            return m.count > 1 ? m[1] : 0
        }, knownQuantile).nextUp
        return t
    }
}

/// An event's case.
public enum AnomalyCase: String, Sendable, CaseIterable {
    /// ~0 variance: the anomaly is not detected.
    case a = "A"
    /// More than one active output node: seen by the deterministic network and the BNN.
    case b = "B"
    /// Jumpy decisions under a confident mean: seen only by the BNN.
    case c = "C"
    /// None of the above.
    case other
}

/// Classify event n of `set` into A/B/C/other (see ``CaseThresholds``).
public func anomalyCase(_ set: PredictionSet, _ n: Int, thresholds t: CaseThresholds = CaseThresholds()) -> AnomalyCase {
    let predicted = set.predicted(n)
    let jumpy = set.disagreement(n) >= t.jumpyFraction
    if jumpy && set.mean[n * set.classes + predicted] >= t.confidentMean { return .c }
    if set.means(n).filter({ $0 >= t.activeMean }).count > 1 { return .b }
    if !jumpy && set.std[n * set.classes + predicted] < t.quietStd { return .a }
    return .other
}

/// Fractions of each case among the events of `set`.
public func caseFractions(_ set: PredictionSet, thresholds: CaseThresholds = CaseThresholds()) -> [AnomalyCase: Double] {
    var counts: [AnomalyCase: Double] = [:]
    for n in 0 ..< set.count { counts[anomalyCase(set, n, thresholds: thresholds), default: 0] += 1 }
    return counts.mapValues { $0 / Double(max(set.count, 1)) }
}
