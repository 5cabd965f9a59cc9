// Classification performance (study §4): accuracy, confusion matrix, ROC curves and AUC of the
// photon output node against each background, and the per-class distributions of the
// predictive mean and standard deviation of every output node.
//
// Shapes: N = events, K = output nodes (classes). Probabilities are row-major (N, K).

/// Monte-Carlo (or deterministic, T = 1) predictions of a classifier on a labelled set.
public struct PredictionSet: Sendable {
    /// Number of events N.
    public let count: Int
    /// Number of output nodes K.
    public let classes: Int
    /// Predictive mean of each output node, (N, K): p̄ₖ = (1/T) Σₜ softmax(f^{wₜ}(x))ₖ.
    public let mean: [Float]
    /// Standard deviation over the T weight samples of each output node, (N, K) (0 if T = 1).
    public let std: [Float]
    /// Per-sample argmax, (N, T) — the decision of each weight sample.
    public let argmax: [UInt8]
    /// Number of weight samples T.
    public let samples: Int
    /// Expected entropy (1/T) Σₜ H(softmax(f^{wₜ}(x))) per event, nats (N); nil if not recorded.
    public let expectedEntropy: [Float]?
    /// True labels (N), as indices into the model's output nodes' class list.
    public let label: [Int32]

    /// A prediction set from its arrays; shapes are checked.
    public init(mean: [Float], std: [Float], argmax: [UInt8], expectedEntropy: [Float]?, label: [Int32], classes: Int) {
        count = label.count
        self.classes = classes
        precondition(mean.count == count * classes && std.count == count * classes, "mean/std must be (N, K)")
        precondition(count == 0 || argmax.count % count == 0, "argmax must be (N, T)")
        samples = count == 0 ? 0 : argmax.count / count
        precondition(expectedEntropy == nil || expectedEntropy!.count == count)
        self.mean = mean; self.std = std; self.argmax = argmax; self.expectedEntropy = expectedEntropy; self.label = label
    }

    /// Predicted class of event n: the argmax of the predictive mean.
    @inline(__always) public func predicted(_ n: Int) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        for k in 0 ..< classes where mean[n * classes + k] > bestValue { best = k; bestValue = mean[n * classes + k] }
        return best
    }

    /// The subset of events whose label satisfies `keep`.
    public func filter(_ keep: (Int32) -> Bool) -> PredictionSet {
        var m: [Float] = [], s: [Float] = [], a: [UInt8] = [], e: [Float] = [], l: [Int32] = []
        for n in 0 ..< count where keep(label[n]) {
            m += mean[n * classes ..< (n + 1) * classes]
            s += std[n * classes ..< (n + 1) * classes]
            a += argmax[n * samples ..< (n + 1) * samples]
            if let ee = expectedEntropy { e.append(ee[n]) }
            l.append(label[n])
        }
        return PredictionSet(mean: m, std: s, argmax: a, expectedEntropy: expectedEntropy == nil ? nil : e, label: l, classes: classes)
    }
}

/// A K × K confusion matrix: `counts[true][predicted]`.
public struct ConfusionMatrix: Sendable, Equatable {
    /// Event counts, [true label][predicted label].
    public var counts: [[Int]]

    /// Count the predictions of `set` (labels ≥ K are ignored).
    public init(_ set: PredictionSet) {
        counts = Array(repeating: Array(repeating: 0, count: set.classes), count: set.classes)
        for n in 0 ..< set.count where Int(set.label[n]) < set.classes {
            counts[Int(set.label[n])][set.predicted(n)] += 1
        }
    }

    /// Row-normalised matrix: the fraction of true class i predicted as j.
    public var normalised: [[Double]] {
        counts.map { row in let t = max(row.reduce(0, +), 1); return row.map { Double($0) / Double(t) } }
    }

    /// Overall accuracy Σᵢ cᵢᵢ / Σ cᵢⱼ.
    public var accuracy: Double {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? .nan : Double((0 ..< counts.count).map { counts[$0][$0] }.reduce(0, +)) / Double(total)
    }

    /// Per-class accuracy (recall) cᵢᵢ / Σⱼ cᵢⱼ; NaN for an empty class.
    public var perClassAccuracy: [Double] {
        counts.enumerated().map { i, row in
            let t = row.reduce(0, +)
            return t == 0 ? .nan : Double(row[i]) / Double(t)
        }
    }
}

/// ROC analysis of a score that should be larger for the positive class.
public enum ROC {
    /// Area under the ROC curve by the Mann–Whitney U statistic, ties counted ½:
    /// ```
    ///     AUC = P(s⁺ > s⁻) + ½ P(s⁺ = s⁻)
    /// ```
    /// computed from mid-ranks of the pooled scores in O((n⁺ + n⁻) log(n⁺ + n⁻)).
    public static func auc(positive: [Double], negative: [Double]) -> Double {
        let np = positive.count, nn = negative.count
        guard np > 0, nn > 0 else { return .nan }
        var pooled = positive.map { ($0, true) } + negative.map { ($0, false) }
        pooled.sort { $0.0 < $1.0 }
        var rankSumPositive = 0.0
        var i = 0
        while i < pooled.count {
            var j = i
            while j + 1 < pooled.count && pooled[j + 1].0 == pooled[i].0 { j += 1 }
            let midRank = Double(i + j) / 2 + 1  // ranks are 1-based
            for k in i ... j where pooled[k].1 { rankSumPositive += midRank }
            i = j + 1
        }
        let u = rankSumPositive - Double(np) * Double(np + 1) / 2
        return u / (Double(np) * Double(nn))
    }

    /// The cumulative counts (true positives, false positives) at every distinct score threshold,
    /// in decreasing order of the threshold; a threshold admits every event at or above it, so
    /// tied events enter together. The ROC and precision–recall curves are both read off these.
    static func cumulativeCounts(positive: [Double], negative: [Double]) -> [(tp: Double, fp: Double)] {
        var pooled = positive.map { ($0, true) } + negative.map { ($0, false) }
        pooled.sort { $0.0 > $1.0 }
        var counts: [(tp: Double, fp: Double)] = []
        var tp = 0.0, fp = 0.0
        var i = 0
        while i < pooled.count {
            let threshold = pooled[i].0
            while i < pooled.count && pooled[i].0 == threshold {
                if pooled[i].1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            counts.append((tp, fp))
        }
        return counts
    }

    /// The ROC curve: (false-positive rate, true-positive rate) at every distinct threshold,
    /// from (0, 0) to (1, 1).
    public static func curve(positive: [Double], negative: [Double]) -> [(fpr: Double, tpr: Double)] {
        let nn = Double(max(negative.count, 1)), np = Double(max(positive.count, 1))
        return [(0, 0)] + cumulativeCounts(positive: positive, negative: negative).map { ($0.fp / nn, $0.tp / np) }
    }

    /// True-positive rate at a false-positive rate of at most `fpr` (on the empirical curve).
    public static func tpr(atFPR fpr: Double, positive: [Double], negative: [Double]) -> Double {
        curve(positive: positive, negative: negative).filter { $0.fpr <= fpr + 1e-12 }.map(\.tpr).max() ?? 0
    }

    /// The smallest false-positive rate at which the true-positive rate reaches `tpr` (on the
    /// empirical curve; "FPR at 95 % TPR" with `tpr` = 0.95).
    public static func fpr(atTPR tpr: Double, positive: [Double], negative: [Double]) -> Double {
        curve(positive: positive, negative: negative).filter { $0.tpr >= tpr - 1e-12 }.map(\.fpr).min() ?? 1
    }

    /// Average precision and the false-positive rate at true-positive rate `tpr`, from one pass
    /// over the cumulative counts (the same values as ``averagePrecision(positive:negative:)`` and
    /// ``fpr(atTPR:positive:negative:)``, one sort instead of two: for bootstrap replicates).
    public static func averagePrecisionAndFPR(atTPR tpr: Double, positive: [Double], negative: [Double]) -> (ap: Double, fpr: Double) {
        let np = positive.count
        guard np > 0, !negative.isEmpty else { return (.nan, 1) }
        let nn = Double(negative.count)
        var recall = 0.0, ap = 0.0, fpr = 1.0, found = false
        for (tp, fp) in cumulativeCounts(positive: positive, negative: negative) {
            let r = tp / Double(np)
            ap += (r - recall) * tp / (tp + fp)
            recall = r
            // The false-positive rate only grows along the counts: the first point that reaches
            // the true-positive rate has the smallest.
            if !found && r >= tpr - 1e-12 { fpr = fp / nn; found = true }
        }
        return (ap, fpr)
    }

    /// Area under the precision–recall curve as average precision, positives = anomalies:
    /// ```
    ///     AP = Σ_thresholds (R_t − R_{t−1}) · P_t
    /// ```
    /// over the distinct score thresholds in decreasing order, where a threshold admits every
    /// event at or above it (ties enter together). A random score gives the positive fraction.
    public static func averagePrecision(positive: [Double], negative: [Double]) -> Double {
        let np = positive.count
        guard np > 0, !negative.isEmpty else { return .nan }
        var recall = 0.0, ap = 0.0
        for (tp, fp) in cumulativeCounts(positive: positive, negative: negative) {
            let r = tp / Double(np)
            ap += (r - recall) * tp / (tp + fp)
            recall = r
        }
        return ap
    }
}

/// A fixed-binning histogram.
public struct Histogram: Sendable {
    /// Lower edge of the first bin.
    public let lower: Double
    /// Upper edge of the last bin.
    public let upper: Double
    /// Counts per bin (values outside [lower, upper] are clamped into the edge bins).
    public private(set) var counts: [Double]

    /// An empty histogram of `bins` equal bins on [lower, upper].
    public init(bins: Int, lower: Double, upper: Double) {
        self.lower = lower; self.upper = upper
        counts = [Double](repeating: 0, count: bins)
    }

    /// Add one value.
    public mutating func fill(_ x: Double) {
        let b = Int(((x - lower) / (upper - lower) * Double(counts.count)).rounded(.down))
        counts[min(max(b, 0), counts.count - 1)] += 1
    }

    /// Bin centres.
    public var centres: [Double] {
        let w = (upper - lower) / Double(counts.count)
        return (0 ..< counts.count).map { lower + (Double($0) + 0.5) * w }
    }

    /// Counts normalised to unit area (a density); zeros if empty.
    public var density: [Double] {
        let total = counts.reduce(0, +), w = (upper - lower) / Double(counts.count)
        return counts.map { total > 0 ? $0 / (total * w) : 0 }
    }
}

/// Calibration of a classifier's confidence: is it right as often as it is sure?
///
/// Confidence = the largest predictive mean of an event, correct = its argmax is the true class.
/// Events are binned by confidence into `bins` equal-width bins on [0, 1]; the expected
/// calibration error is the event-weighted mean gap between accuracy and confidence,
/// ```
///     ECE = Σ_b (n_b / N) · |acc_b − conf_b|
/// ```
/// (Guo et al. 2017, arXiv:1706.04599, with their 15 bins by default).
public struct Calibration: Sendable {
    /// Per bin: mean confidence, accuracy and number of events (NaN for an empty bin).
    public var confidence: [Double], accuracy: [Double], count: [Int]
    /// The expected calibration error.
    public var ece: Double

    /// The calibration of the events of `set` whose label is a known output (label < K).
    public init(_ set: PredictionSet, bins: Int = 15) {
        var conf = [Double](repeating: 0, count: bins), acc = [Double](repeating: 0, count: bins)
        var n = [Int](repeating: 0, count: bins)
        var total = 0
        for e in 0 ..< set.count where Int(set.label[e]) < set.classes {
            let m = set.mean[e * set.classes ..< (e + 1) * set.classes]
            let c = Double(m.max()!)
            let b = min(Int(c * Double(bins)), bins - 1)
            conf[b] += c; acc[b] += set.predicted(e) == Int(set.label[e]) ? 1 : 0; n[b] += 1; total += 1
        }
        var ece = 0.0
        for b in 0 ..< bins where n[b] > 0 {
            conf[b] /= Double(n[b]); acc[b] /= Double(n[b])
            ece += Double(n[b]) / Double(max(total, 1)) * abs(acc[b] - conf[b])
        }
        for b in 0 ..< bins where n[b] == 0 { conf[b] = .nan; acc[b] = .nan }
        confidence = conf; accuracy = acc; count = n; self.ece = ece
    }
}
