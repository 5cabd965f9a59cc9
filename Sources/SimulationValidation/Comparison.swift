// Comparing two samples observable by observable: means, spreads, histograms, the separation
// power, and a fast-vs-reference classifier (CaloChallenge's "classifier metric",
// arXiv:2410.21611 §4: a classifier that cannot tell the samples apart, AUC → 0.5).
import Classification
import Foundation
import PortableMath

/// Mean, standard deviation (N − 1), standard error and median of a list.
public struct Summary: Sendable, Equatable {
    /// Mean.
    public var mean: Double
    /// Standard deviation (with N − 1).
    public var std: Double
    /// Standard error of the mean, std/√N.
    public var standardError: Double
    /// Median.
    public var median: Double
    /// Standard error of the relative spread std/mean (0 if it is undefined: fewer than two
    /// values, no spread, or mean 0).
    ///
    /// The delta method on the sample mean m and variance v, whose sampling variances and
    /// covariance need the third and fourth central moments μ₃, μ₄ (no normality assumed; the
    /// showers' energy sums have a low tail from leakage):
    ///
    ///     Var(√v / m) ≈ [ v²/m⁴ + (μ₄ − v²)/(4 v m²) − μ₃/m³ ] / N.
    ///
    /// For a normal sample (μ₃ = 0, μ₄ = 3v²) this is the textbook (s/m)/√(2N) · √(1 + 2 (s/m)²).
    /// It is a large-N approximation; the test checks it against the scatter of many samples.
    public var relativeSpreadError: Double
    /// Standard error of the standard deviation itself (0 if it is undefined: fewer than two
    /// values or no spread): the delta method on the sample variance, whose sampling variance is
    /// (μ₄ − v²)/N, through s = √v:
    ///
    ///     Var(s) ≈ (μ₄ − v²) / (4 v N),
    ///
    /// for a normal sample s/√(2N). Not the normal formula: the widths and energy ratios of a
    /// shower have long tails (μ₄ ≫ 3v²), and it would call their spreads more precise than they
    /// are. A large-N approximation: for 400 values of an exponential tail it comes out about 6 %
    /// below the true scatter (the sample's μ₄ is low on average; the test measures it), which
    /// makes a miss look a little more significant, not less. Used to tell a missed spread
    /// target from the samples' noise (``TargetMiss``).
    public var stdError: Double

    /// The summary of `x` (non-empty).
    public init(_ x: [Double]) {
        let n = Double(x.count)
        mean = x.reduce(0, +) / n
        let m = mean
        std = x.count > 1 ? (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot() : 0
        standardError = std / n.squareRoot()
        let s = x.sorted()
        median = s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
        let v = std * std
        if x.count > 1, v > 0 {
            let mu3 = x.reduce(0) { $0 + ($1 - m) * ($1 - m) * ($1 - m) } / n
            let mu4 = x.reduce(0) { $0 + ($1 - m) * ($1 - m) * ($1 - m) * ($1 - m) } / n
            let variance = (v * v / (m * m * m * m) + (mu4 - v * v) / (4 * v * m * m) - mu3 / (m * m * m)) / n
            relativeSpreadError = m != 0 ? max(variance, 0).squareRoot() : 0
            stdError = (max(mu4 - v * v, 0) / (4 * v * n)).squareRoot()
        } else {
            relativeSpreadError = 0
            stdError = 0
        }
    }
}

/// The `q`-quantile (0…1) of `x` by linear interpolation between order statistics.
public func quantile(_ x: [Double], _ q: Double) -> Double {
    let s = x.sorted()
    let h = q * Double(s.count - 1)
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, s.count - 1)
    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
}

/// Two normalised histograms of one observable on a common binning, and their separation power
/// ```
///     S = ½ Σ_b (h₁,b − h₂,b)² / (h₁,b + h₂,b)        h normalised to Σ_b h_b = 1
/// ```
/// (0 for identical, 1 for disjoint distributions; CaloGAN arXiv:1712.10321 and CaloChallenge use
/// the same definition). Binning, our choice: 30 equal bins between the 0.5 % and 99.5 %
/// quantiles of all samples compared, pooled (``range(_:)``), values outside clamped into the
/// edge bins — robust against the rare far outliers of the layer-0 widths; an observable constant
/// in every sample gets one bin.
public struct HistogramPair: Sendable {
    /// Lower edge.
    public var lower: Double
    /// Upper edge.
    public var upper: Double
    /// Reference fractions per bin (Σ = 1).
    public var reference: [Double]
    /// Simulated fractions per bin (Σ = 1).
    public var simulated: [Double]

    /// Histogram both samples on `bins` equal bins of [lower, upper] (values outside are
    /// clamped into the edge bins).
    public init(reference a: [Double], simulated b: [Double], lower lo: Double, upper hi: Double, bins: Int = 30) {
        let nb = hi > lo ? bins : 1
        let (l, u) = hi > lo ? (lo, hi) : (lo - 0.5, lo + 0.5)
        func fractions(_ x: [Double]) -> [Double] {
            var h = Histogram(bins: nb, lower: l, upper: u)
            for v in x { h.fill(v) }
            return h.counts.map { $0 / Double(x.count) }
        }
        lower = l; upper = u
        reference = fractions(a); simulated = fractions(b)
    }

    /// The binning range of our choice for the pooled values of all samples compared: their
    /// 0.5 % and 99.5 % quantiles.
    public static func range(_ pooled: [Double]) -> (lower: Double, upper: Double) {
        (quantile(pooled, 0.005), quantile(pooled, 0.995))
    }

    /// Bin centres.
    public var centres: [Double] {
        let w = (upper - lower) / Double(reference.count)
        return (0 ..< reference.count).map { lower + (Double($0) + 0.5) * w }
    }

    /// The separation power S ∈ [0, 1].
    public var separationPower: Double {
        var s = 0.0
        for (p, q) in zip(reference, simulated) where p + q > 0 { s += (p - q) * (p - q) / (p + q) }
        return 0.5 * s
    }
}

/// One observable compared: reference vs simulated summaries, relative differences, S.
public struct ObservableComparison: Sendable {
    /// Observable name (``ShowerShapes/names(layers:)``).
    public var name: String
    /// Reference summary.
    public var reference: Summary
    /// Simulated summary.
    public var simulated: Summary
    /// Histograms and separation power.
    public var histograms: HistogramPair

    /// (simulated − reference)/|reference| of the means (0 if both are 0).
    public var meanDeviation: Double { relative(simulated.mean, reference.mean) }
    /// (simulated − reference)/reference of the standard deviations.
    public var spreadDeviation: Double { relative(simulated.std, reference.std) }
    /// The same for the medians.
    public var medianDeviation: Double { relative(simulated.median, reference.median) }
    /// Statistical standard error of ``meanDeviation`` (the two samples independent; infinite if
    /// the reference mean is 0): with q = x̄/r̄, √(se(x̄)² + q² se(r̄)²)/|r̄| — the error of the
    /// ratio, written so that it stays finite when our mean is 0.
    public var meanDeviationError: Double {
        ratioError(simulated.mean, simulated.standardError, reference.mean, reference.standardError)
    }
    /// Statistical standard error of ``spreadDeviation``, from ``Summary/stdError`` of each sample.
    public var spreadDeviationError: Double {
        ratioError(simulated.std, simulated.stdError, reference.std, reference.stdError)
    }

    func ratioError(_ a: Double, _ seA: Double, _ b: Double, _ seB: Double) -> Double {
        guard b != 0 else { return .infinity }
        let q = a / b
        return (seA * seA + q * q * seB * seB).squareRoot() / abs(b)
    }

    func relative(_ a: Double, _ b: Double) -> Double {
        b == 0 ? (a == 0 ? 0 : .infinity) : (a - b) / abs(b)
    }
}

/// Compare a reference table of observables with several simulated ones (rows = events,
/// columns = `names`). Each observable is binned once, on the range of all samples pooled, so
/// that the separation powers of the simulated samples are comparable with each other.
public func compareObservables(names: [String], reference: [[Double]], simulated: [[[Double]]],
                               bins: Int = 30) -> [[ObservableComparison]] {
    var out = [[ObservableComparison]](repeating: [], count: simulated.count)
    for j in names.indices {
        let a = reference.map { $0[j] }
        let bs = simulated.map { t in t.map { $0[j] } }
        let (lo, hi) = HistogramPair.range(a + bs.flatMap { $0 })
        for (k, b) in bs.enumerated() {
            out[k].append(ObservableComparison(name: names[j], reference: Summary(a), simulated: Summary(b),
                                               histograms: HistogramPair(reference: a, simulated: b, lower: lo, upper: hi, bins: bins)))
        }
    }
    return out
}

/// A quadratic logistic-regression classifier that tries to tell two samples apart, and its
/// ROC AUC on held-out events: our choice of a small, deterministic, gradient-free-to-tune
/// stand-in for CaloChallenge's network classifier, run on the shower-shape observables.
///
/// Features: each observable standardised on the training events, z, and its square z² (so a
/// difference in width of a distribution, not only in its mean, is learned). Model
/// p(reference | z) = σ(w·φ(z)), fitted by Newton–Raphson (IRLS) on the mean log-likelihood with
/// an L2 penalty λ|w|²/2 (λ = 10⁻², our choice: keeps the Hessian positive definite when an
/// observable is constant), at most 25 iterations or until |Δw|∞ < 10⁻⁸. Each Newton step is
/// halved until the penalised loss falls (backtracking; a full step is taken whenever it does, so
/// a well-behaved fit is unchanged; the fit ends when not even 2⁻³⁴ of the step lowers the loss):
/// the full step alone can overshoot and climb away from the
/// minimum. It did on a sample with one shower far out in E_tot and f₂ (20 GeV π⁰ → γγ, a
/// candidate tuning, `--seed 4244`): the loss rose from 0.46 to 829 and the AUC came out 0.569
/// instead of 0.856 — a disagreement with Geant4 reported as near-agreement.
/// Two-fold: events are split by parity of their index (no random numbers); train on one half,
/// score the other, then swap; both halves' scores enter one AUC. Both samples are cut to the
/// smaller size, so the classes are balanced. AUC = 0.5: indistinguishable; 1: disjoint.
/// Its exp and log1p are PortableMath's, not libm's (glibc picks an FMA build of those on CPUs that
/// have FMA, which can differ in the last bit): the AUCs do not depend on the CPU.
public enum SampleClassifier {
    /// The two-fold AUC of reference-vs-simulated on `reference`, `simulated` (rows = events).
    ///
    /// `quadratic: false` drops the squares (a linear model, for many features such as the cells:
    /// CaloChallenge's "on the cells" variant); `iterations` caps the Newton steps.
    public static func auc(reference: [[Double]], simulated: [[Double]], lambda: Double = 1e-2,
                           quadratic: Bool = true, iterations: Int = 25) -> Double {
        let n = min(reference.count, simulated.count)
        guard n >= 4, let d = reference.first?.count, d > 0 else { return 0.5 }
        var scoresRef: [Double] = [], scoresSim: [Double] = []
        for fold in 0 ..< 2 {
            let train = (0 ..< n).filter { $0 % 2 == fold }, test = (0 ..< n).filter { $0 % 2 != fold }
            let x = train.map { reference[$0] } + train.map { simulated[$0] }
            let y = [Double](repeating: 1, count: train.count) + [Double](repeating: 0, count: train.count)
            let model = fit(x, y, lambda: lambda, quadratic: quadratic, iterations: iterations)
            scoresRef += test.map { model.score(reference[$0]) }
            scoresSim += test.map { model.score(simulated[$0]) }
        }
        return ROC.auc(positive: scoresRef, negative: scoresSim)
    }

    /// A fitted model: standardisation and weights.
    public struct Model: Sendable {
        /// Per-observable mean of the training events.
        public var mean: [Double]
        /// Per-observable standard deviation of the training events (1 where it is 0).
        public var scale: [Double]
        /// Weights: bias, then d linear, then (if ``quadratic``) d quadratic.
        public var weights: [Double]
        /// Whether the features include the squares.
        public var quadratic = true

        /// φ(x) = (1, z, z²).
        public func features(_ x: [Double]) -> [Double] {
            var f = [1.0]
            let z = x.indices.map { (x[$0] - mean[$0]) / scale[$0] }
            f += z
            if quadratic { f += z.map { $0 * $0 } }
            return f
        }

        /// The logit w·φ(x) (monotone in p(reference | x)).
        public func score(_ x: [Double]) -> Double {
            zip(weights, features(x)).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    /// Fit by IRLS (see the type's documentation).
    public static func fit(_ x: [[Double]], _ y: [Double], lambda: Double, quadratic: Bool = true,
                           iterations: Int = 25) -> Model {
        let d = x[0].count, n = Double(x.count)
        let means = (0 ..< d).map { j in x.reduce(0) { $0 + $1[j] } / n }
        let scales = (0 ..< d).map { j -> Double in
            let v = x.reduce(0) { $0 + ($1[j] - means[j]) * ($1[j] - means[j]) } / n
            return v > 0 ? v.squareRoot() : 1
        }
        let k = quadratic ? 1 + 2 * d : 1 + d
        var model = Model(mean: means, scale: scales, weights: [Double](repeating: 0, count: k), quadratic: quadratic)
        let phi = x.map { model.features($0) }
        var current = penalisedLoss(model.weights, phi, y, lambda: lambda)
        for _ in 0 ..< iterations {
            // Gradient g = Σ (p − y) φ / n + λ w;  Hessian H = Σ p(1−p) φφᵀ / n + λ I.
            var g = model.weights.map { lambda * $0 }
            var h = [Double](repeating: 0, count: k * k)
            for i in 0 ..< k { h[i * k + i] = lambda }
            h.withUnsafeMutableBufferPointer { hb in
                for (f, t) in zip(phi, y) {
                    let z = zip(model.weights, f).reduce(0) { $0 + $1.0 * $1.1 }
                    let p = 1 / (1 + PortableMath.exp(-z)), w = p * (1 - p) / n
                    f.withUnsafeBufferPointer { fb in
                        for i in 0 ..< k {
                            g[i] += (p - t) * fb[i] / n
                            let wi = w * fb[i]
                            if wi == 0 { continue }  // a cell empty in this event adds nothing
                            let row = hb.baseAddress! + i * k
                            for j in 0 ... i { row[j] += wi * fb[j] }
                        }
                    }
                }
            }
            for i in 0 ..< k { for j in 0 ..< i { h[j * k + i] = h[i * k + j] } }
            guard let step = choleskySolve(h, g, k) else { break }
            // Backtracking: the full step, else half of it, … while the loss does not fall.
            var t = 1.0, trial = model.weights, trialLoss = current
            while true {
                for i in 0 ..< k { trial[i] = model.weights[i] - t * step[i] }
                trialLoss = penalisedLoss(trial, phi, y, lambda: lambda)
                if trialLoss <= current || t < 1e-10 { break }
                t *= 0.5
            }
            guard trialLoss <= current else { break }  // no step lowers the loss: at the minimum
            let maxStep = t * step.reduce(0.0) { max($0, abs($1)) }
            model.weights = trial; current = trialLoss
            if maxStep < 1e-8 { break }
        }
        return model
    }

    /// The fit's objective: the mean negative log-likelihood of labels `y` under weights `w` on
    /// features `phi`, plus λ|w|²/2; ln(1 + eᶻ) computed as max(z, 0) + ln(1 + e^−|z|).
    public static func penalisedLoss(_ w: [Double], _ phi: [[Double]], _ y: [Double], lambda: Double) -> Double {
        var sum = 0.0
        for (f, t) in zip(phi, y) {
            let z = zip(w, f).reduce(0) { $0 + $1.0 * $1.1 }
            sum += max(z, 0) + PortableMath.log1p(PortableMath.exp(-abs(z))) - t * z
        }
        return sum / Double(phi.count) + lambda * w.reduce(0) { $0 + $1 * $1 } / 2
    }

    /// Solve H s = g for symmetric positive-definite H (k × k, row-major) by Cholesky; nil if not SPD.
    static func choleskySolve(_ h: [Double], _ g: [Double], _ k: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: k * k)
        for i in 0 ..< k {
            for j in 0 ... i {
                var s = h[i * k + j]
                for m in 0 ..< j { s -= l[i * k + m] * l[j * k + m] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i * k + i] = s.squareRoot()
                } else { l[i * k + j] = s / l[j * k + j] }
            }
        }
        var z = [Double](repeating: 0, count: k)
        for i in 0 ..< k {
            var s = g[i]
            for m in 0 ..< i { s -= l[i * k + m] * z[m] }
            z[i] = s / l[i * k + i]
        }
        var s = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            var t = z[i]
            for m in i + 1 ..< k { t -= l[m * k + i] * s[m] }
            s[i] = t / l[i * k + i]
        }
        return s
    }
}

extension SampleClassifier {
    /// One step of ``elimination(reference:simulated:names:floor:)``: the observable removed and
    /// the classifier's AUC on the observables left.
    public struct EliminationStep: Sendable, Equatable {
        /// The observable removed at this step.
        public var removed: String
        /// The two-fold AUC without it (and without those removed before).
        public var auc: Double
        /// A step: `removed` taken out, `auc` left.
        public init(removed: String, auc: Double) {
            self.removed = removed
            self.auc = auc
        }
    }

    /// How many steps of an ``elimination(reference:simulated:names:floor:)`` bring the AUC to
    /// `target`: 0 when the AUC on all observables (`allShapesAUC`) is there already, nil when no
    /// step does.
    public static func stepsToTarget(allShapesAUC: Double, _ steps: [EliminationStep], target: Double) -> Int? {
        allShapesAUC <= target ? 0 : steps.firstIndex { $0.auc <= target }.map { $0 + 1 }
    }

    /// Which observables tell the samples apart: greedy backward elimination (our choice). Start
    /// from all `names` (the columns of `reference` and `simulated`); at each step drop the one
    /// observable whose removal lowers ``auc(reference:simulated:lambda:quadratic:iterations:)``
    /// most (on a tie, the first in `names` order), until the AUC is at most `floor` or one
    /// observable is left. The observables removed first are those a simulator must get right for
    /// the classifier to lose its grip: several observables that each separate a little can weigh
    /// more than one that separates well but says what another one says too.
    public static func elimination(reference: [[Double]], simulated: [[Double]], names: [String],
                                   floor: Double = 0.6) -> [EliminationStep] {
        var left = Array(names.indices), steps: [EliminationStep] = []
        func columns(_ rows: [[Double]], _ keep: [Int]) -> [[Double]] { rows.map { r in keep.map { r[$0] } } }
        while left.count > 1 {
            var best: (auc: Double, position: Int)? = nil
            for (position, _) in left.enumerated() {
                var keep = left
                keep.remove(at: position)
                let a = auc(reference: columns(reference, keep), simulated: columns(simulated, keep))
                if best == nil || a < best!.auc { best = (a, position) }
            }
            let removed = left.remove(at: best!.position)
            steps.append(EliminationStep(removed: names[removed], auc: best!.auc))
            if best!.auc <= floor { break }
        }
        return steps
    }
}

/// One pair of observables whose shower-to-shower correlation differs between two samples.
public struct CorrelationDifference: Sendable, Equatable {
    /// The two observables (in `names` order).
    public var first: String, second: String
    /// Pearson's r of the pair in the reference sample and in ours.
    public var reference: Double, simulated: Double
    /// |r ours − r reference|.
    public var difference: Double { abs(simulated - reference) }
}

/// Pearson's correlation coefficient of columns `i` and `j` of `rows`, over the rows where both
/// are finite (NaN with fewer than three such rows or a constant column).
public func pearson(_ rows: [[Double]], _ i: Int, _ j: Int) -> Double {
    var n = 0.0, sx = 0.0, sy = 0.0
    for r in rows where r[i].isFinite && r[j].isFinite { n += 1; sx += r[i]; sy += r[j] }
    guard n >= 3 else { return .nan }
    let mx = sx / n, my = sy / n
    var sxx = 0.0, syy = 0.0, sxy = 0.0
    for r in rows where r[i].isFinite && r[j].isFinite {
        let dx = r[i] - mx, dy = r[j] - my
        sxx += dx * dx; syy += dy * dy; sxy += dx * dy
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
}

/// The `count` pairs of observables (columns `names` of both samples) whose correlation
/// coefficients differ most between `reference` and `simulated`, largest |Δr| first (ties in
/// `names` order; pairs with an undefined r left out). What the shape classifier can see when
/// every mean and spread agrees: a relation between two shapes that our showers get wrong (for
/// example the layer-1 width's dependence on the layer-0 fraction, i.e. on how early the shower
/// developed).
public func correlationDifferences(reference: [[Double]], simulated: [[Double]], names: [String],
                                   count: Int) -> [CorrelationDifference] {
    var pairs: [CorrelationDifference] = []
    for i in names.indices {
        for j in names.indices where j > i {
            let a = pearson(reference, i, j), b = pearson(simulated, i, j)
            if a.isFinite && b.isFinite { pairs.append(CorrelationDifference(first: names[i], second: names[j], reference: a, simulated: b)) }
        }
    }
    // A stable sort: equal differences keep the pairs' order.
    let order = pairs.indices.sorted { pairs[$0].difference > pairs[$1].difference || (pairs[$0].difference == pairs[$1].difference && $0 < $1) }
    return order.prefix(count).map { pairs[$0] }
}
