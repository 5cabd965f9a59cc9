// Strict readers of the values that reach the network from outside (command line, checkpoint
// attributes): malformed text is refused, never defaulted (`normal(abc,1)` is an error, not
// `normal(1)`), and every number is range-checked before it sizes an allocation.
import BayesianNetworks
import Foundation

/// A prior from its name, strictly: `normal(σ)` with σ > 0, or `mixture(π,σ₁,σ₂)` with
/// 0 ≤ π ≤ 1 and σ₁, σ₂ > 0, every argument a finite decimal number. The error says what is wrong.
public func strictPrior(_ spec: String) throws -> any Prior {
    let s = spec.trimmingCharacters(in: .whitespaces)
    guard let open = s.firstIndex(of: "("), s.hasSuffix(")") else {
        throw InputError("prior '\(spec)' is malformed; expected normal(σ) or mixture(π,σ₁,σ₂)")
    }
    let family = String(s[..<open])
    let inner = s[s.index(after: open) ..< s.index(before: s.endIndex)]
    var args: [Double] = []
    for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
        let t = part.trimmingCharacters(in: .whitespaces)
        guard let v = Double(t), v.isFinite else { throw InputError("prior '\(spec)': '\(t)' is not a finite number") }
        args.append(v)
    }
    switch (family, args.count) {
    case ("normal", 1):
        guard args[0] > 0 else { throw InputError("prior '\(spec)': σ must be > 0") }
    case ("mixture", 3):
        guard (0 ... 1).contains(args[0]) else { throw InputError("prior '\(spec)': π must be in [0, 1]") }
        guard args[1] > 0, args[2] > 0 else { throw InputError("prior '\(spec)': σ₁ and σ₂ must be > 0") }
    case ("normal", _), ("mixture", _):
        throw InputError("prior '\(spec)': \(family) takes \(family == "normal" ? "1 argument (σ)" : "3 arguments (π,σ₁,σ₂)"), got \(args.count)")
    default:
        throw InputError("prior '\(spec)': unknown family '\(family)'; expected normal(σ) or mixture(π,σ₁,σ₂)")
    }
    do { return try priorNamed(s) } catch { throw InputError("prior '\(spec)': \(error)") }
}

/// Limits of a network architecture read from a file (generous: the study's is 8 filters, three
/// grids of at most 3×96 cells, 10 classes, shards of 64).
public enum ArchitectureLimits {
    /// Output classes K: the per-sample argmax is stored as uint8.
    public static let classes = 1 ... 256
    /// Filters per convolution.
    public static let filters = 1 ... 256
    /// Examples per shard.
    public static let shardSize = 1 ... 65_536
    /// Input branches (grids).
    public static let grids = 1 ... 16
    /// Cells per grid side.
    public static let gridSide = 1 ... 4096
    /// Cells per example, summed over the grids.
    public static let cellsPerExample = 1 ... 1 << 20
    /// Parameters P of the network (about K · F · cells).
    public static let parameters = 1 ... 1 << 28
}
