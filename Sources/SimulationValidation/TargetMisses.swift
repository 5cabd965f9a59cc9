// Which missed targets are misses. A target is a band about Geant4's value (a shape's mean within
// 10 %, its spread within 25 %, the LAr response within 5 %), and Geant4's value is itself
// measured on 300–1000 showers: a mean 11 % off with a standard error of 4 % is as consistent
// with the target as against it, one 30 % off with 3 % is not. The table of this file lists every
// missed target of a run with its statistical error and says which lie beyond the band by more
// than twice it.
import Foundation
import StudyReport

/// One validation target that a simulated sample misses, with the statistical error of the
/// deviation that misses it.
public struct TargetMiss: Sendable, Equatable {
    /// What is compared.
    public enum Kind: String, Sendable, CaseIterable {
        /// A shower shape's mean (``ValidationTargets/meanTolerance(_:)``).
        case mean
        /// A shower shape's standard deviation, the shower-to-shower spread.
        case spread
        /// The mean LAr fraction of the deposit.
        case larFraction = "LAr fraction"
        /// The relative resolution σ/E of the LAr energy.
        case larResolution = "LAr resolution"
    }

    /// The observable (a shape's name, or the LAr quantity's).
    public var observable: String
    /// Mean, spread or LAr response.
    public var kind: Kind
    /// Ours relative to Geant4's, minus 1.
    public var deviation: Double
    /// Its statistical standard error (both samples; independent).
    public var error: Double
    /// The target's allowed |deviation|.
    public var tolerance: Double

    /// A miss of `observable`'s `kind` by `deviation` ± `error` (the target ± `tolerance`).
    public init(observable: String, kind: Kind, deviation: Double, error: Double, tolerance: Double) {
        self.observable = observable; self.kind = kind; self.deviation = deviation; self.error = error; self.tolerance = tolerance
    }

    /// How far beyond the target the deviation lies, in standard errors: (|Δ| − tolerance)/error
    /// (infinite for an error of 0 or an infinite deviation).
    public var excess: Double {
        guard deviation.isFinite, error > 0 else { return .infinity }
        return (abs(deviation) - tolerance) / error
    }

    /// Our choice: a miss counts as beyond the samples' noise when its deviation lies more than
    /// twice its standard error outside the target (a one-sided 2.3 % chance for a deviation that
    /// is just at the target's edge).
    public static let significance = 2.0

    /// Whether the miss is beyond the samples' noise (``significance``).
    public var isSignificant: Bool { excess > TargetMiss.significance }
}

extension SampleValidation {
    /// Every target this sample misses (``TargetMiss/misses(shapes:larFraction:larResolution:)``).
    public var misses: [TargetMiss] {
        TargetMiss.misses(shapes: shapes, larFraction: (larFraction.reference, larFractionError.reference, larFraction.simulated, larFractionError.simulated),
                          larResolution: (larResolution.reference, larResolutionError.reference, larResolution.simulated, larResolutionError.simulated))
    }
}

extension TargetMiss {
    /// A LAr quantity compared: Geant4's value and standard error, ours and ours.
    public typealias Compared = (reference: Double, referenceError: Double, simulated: Double, simulatedError: Double)

    /// Every target missed by `shapes` (means, and the spreads that are targets) in their order,
    /// then by the LAr fraction and resolution.
    public static func misses(shapes: [ObservableComparison], larFraction: Compared, larResolution: Compared) -> [TargetMiss] {
        var out: [TargetMiss] = []
        for o in shapes {
            let tolerance = ValidationTargets.meanTolerance(o.name)
            if !(abs(o.meanDeviation) <= tolerance) {
                out.append(TargetMiss(observable: o.name, kind: .mean, deviation: o.meanDeviation,
                                      error: o.meanDeviationError, tolerance: tolerance))
            }
            if ValidationTargets.spreadIsTarget(o.name), !(abs(o.spreadDeviation) <= ValidationTargets.spreadTolerance) {
                out.append(TargetMiss(observable: o.name, kind: .spread, deviation: o.spreadDeviation,
                                      error: o.spreadDeviationError, tolerance: ValidationTargets.spreadTolerance))
            }
        }
        for (kind, c) in [(Kind.larFraction, larFraction), (Kind.larResolution, larResolution)] {
            let d = ValidationOutput.relativeDeviation(reference: c.reference, c.referenceError, simulated: c.simulated, c.simulatedError)
            if !(abs(d.value) <= ValidationTargets.samplingTolerance) {
                out.append(TargetMiss(observable: kind.rawValue, kind: kind, deviation: d.value, error: abs(d.error),
                                      tolerance: ValidationTargets.samplingTolerance))
            }
        }
        return out
    }
}

extension ValidationOutput {
    /// Rows of ``missTable(_:name:events:seed:)`` for one sample (named `sample`): per missed
    /// target, what, ours − Geant4 in per cent ± its error, the target, how many standard errors
    /// beyond it, and whether that is beyond the noise.
    public static func missRows(_ sample: String, _ misses: [TargetMiss]) -> [[String]] {
        misses.map { m in
            let what = m.kind == .mean || m.kind == .spread ? "\(m.kind == .mean ? "mean" : "σ") of \(m.observable)" : m.observable
            return [sample, what, "\(pct(m.deviation)) ± \(m.error.isFinite ? fmt(100 * m.error, 1) : "—")",
                    "±\(fmt(100 * m.tolerance, 0))", m.excess.isFinite ? fmt(m.excess, 1) : "—",
                    m.isSignificant ? "beyond noise" : "within noise"]
        }
    }

    /// Every missed target of a run's tuning over all samples (rows from ``missRows(_:_:)``).
    public static func missTable(_ rows: [[String]], name: String, events: Int, seed: UInt64) -> ResultTable {
        ResultTable(caption: "Every target the \(name) tuning misses (\(events) simulated events per sample, seed \(seed)): ours relative to Geant4 in per cent ± the two samples' statistical error, the target, how many standard errors the deviation lies beyond it, and whether that is more than \(fmt(TargetMiss.significance, 0)) (beyond the samples' noise) or not (within it: Geant4's 300–1000 showers cannot tell).",
                    header: ["sample", "target", "Δ %", "target %", "beyond (s.e.)", "verdict"], rows: rows)
    }

    /// Macros of the misses over all samples (`misses`: each sample's ``SampleValidation/misses``):
    /// per kind, how many targets are missed and how many of those beyond the noise, e.g.
    /// `\ValMissesMeansGeantFour`, `\ValMissesMeansBeyondGeantFour` (means), `…Spreads…`, `…LAr…`
    /// (fraction and resolution together), and `\ValMissesBeyondGeantFour` (all kinds).
    public static func missMacros(_ misses: [TargetMiss], name: String, prefix: String = "") -> [String] {
        func m(_ parts: [String], _ value: Int) -> String {
            "\\newcommand{\\Val\(prefix)Misses\(parts.joined())\(macroName(name))}{\(value)}"
        }
        let groups: [(String, [TargetMiss.Kind])] = [("Means", [.mean]), ("Spreads", [.spread]), ("LAr", [.larFraction, .larResolution])]
        var out: [String] = []
        for (label, kinds) in groups {
            let mine = misses.filter { kinds.contains($0.kind) }
            out += [m([label], mine.count), m([label, "Beyond"], mine.filter(\.isSignificant).count)]
        }
        out.append(m(["Beyond"], misses.filter(\.isSignificant).count))
        return out
    }
}

/// One shape's deviations from Geant4 over all reference samples, and whether they lean one way.
///
/// A per-sample test cannot see a deficit that every sample shares but none shows beyond its own
/// noise. The samples' noise is independent (each has its own Geant4 showers and its own simulated
/// ones), so if our mean were Geant4's, ours would lie above or below it in each sample as a fair
/// coin falls: the sign test. All nine on one side has probability 2 · 2⁻⁹ ≈ 0.004.
public struct SystematicDeviation: Sendable, Equatable {
    /// The shape.
    public var observable: String
    /// Ours relative to Geant4's mean, minus 1, per sample (in the samples' order).
    public var deviations: [Double]

    /// The deviations of `observable` over the samples.
    public init(observable: String, deviations: [Double]) {
        self.observable = observable; self.deviations = deviations
    }
    /// Samples where ours is above Geant4's mean.
    public var above: Int { deviations.filter { $0 > 0 }.count }
    /// Samples where ours is below it.
    public var below: Int { deviations.filter { $0 < 0 }.count }

    /// The two-sided sign test's p-value: the chance that n fair coins (n = ``above`` + ``below``;
    /// ties left out) fall at least as unevenly, 2 Σ_{j ≥ max} C(n, j) 2⁻ⁿ, at most 1.
    public var signTestP: Double {
        let n = above + below, k = max(above, below)
        guard n > 0 else { return 1 }
        var tail = 0.0, c = 1.0
        for j in 0 ... n {
            if j >= k { tail += c }
            c = c * Double(n - j) / Double(j + 1)
        }
        return min(1, 2 * tail / pow(2, Double(n)))
    }

    /// Our choice: a shape counts as systematically off when its sign test gives p below 0.01
    /// (with 21 shapes, about 0.2 expected by chance).
    public static let threshold = 0.01

    /// Whether the deviations lean one way beyond chance (``threshold``).
    public var isSystematic: Bool { signTestP < SystematicDeviation.threshold }

    /// One entry per shape of `samples` (each sample's shape comparisons, in the same order).
    public static func table(_ samples: [[ObservableComparison]]) -> [SystematicDeviation] {
        guard let first = samples.first else { return [] }
        return first.indices.map { j in
            SystematicDeviation(observable: first[j].name, deviations: samples.map { $0[j].meanDeviation })
        }
    }
}

extension ValidationOutput {
    /// One row per shape: samples above and below Geant4, the sign test, the range of the deviations.
    public static func systematicRows(_ table: [SystematicDeviation]) -> [[String]] {
        table.map { s in
            let finite = s.deviations.filter(\.isFinite)
            return [s.observable, "\(s.above)", "\(s.below)", fmt(s.signTestP, 3),
                    finite.isEmpty ? "—" : "\(pct(finite.min()!)) … \(pct(finite.max()!))",
                    s.isSystematic ? "one-sided" : ""]
        }
    }

    /// The sign test of every shape over all samples (rows from ``systematicRows(_:)``).
    public static func systematicTable(_ rows: [[String]], name: String, samples: Int) -> ResultTable {
        ResultTable(caption: "Which shapes lean one way: per total-deposit shape, the number of the \(samples) samples in which the \(name) tuning's mean is above and below Geant4's, the two-sided sign test's p (the chance of so uneven a split if ours were Geant4's), the range of the deviations in per cent, and \"one-sided\" below p = \(fmt(SystematicDeviation.threshold, 2)).",
                    header: ["shape", "above", "below", "p", "Δ % range", ""], rows: rows)
    }

    /// Macros of the sign test (`\ValSystematicCountGeantFour`, and `\ValSystematicShapesGeantFour`:
    /// the one-sided shapes as an English list of \texttt names, "none" if none).
    public static func systematicMacros(_ table: [SystematicDeviation], name: String, prefix: String = "") -> [String] {
        let mine = table.filter(\.isSystematic).map { "\\texttt{\($0.observable.replacingOccurrences(of: "_", with: "\\_"))}" }
        return ["\\newcommand{\\Val\(prefix)SystematicCount\(macroName(name))}{\(mine.count)}",
                "\\newcommand{\\Val\(prefix)SystematicShapes\(macroName(name))}{\(mine.isEmpty ? "none" : englishList(mine))}"]
    }
}
