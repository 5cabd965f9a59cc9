// How many of a layer's cells hold more than a given energy, Geant4 against ours: the sparsity
// (cells above 0) seen at several thresholds. The sparsity is a fit target, and a simulator can
// meet it with the wrong deposits — many cells holding a few keV where Geant4 has fewer cells
// holding a few hundred keV; a cell classifier on ln(1 + E/MeV) sees the difference, the
// shower shapes hardly do. The table of this file says which.
import CalorimeterSimulation
import Foundation
import StudyReport

/// The share of each readout layer's cells whose energy exceeds each of ``thresholdsMeV``, as
/// the mean over the events of the per-event share, with its standard error over the events
/// (a shower's cells are not independent, its share is).
public struct CellOccupancy: Sendable, Equatable {
    /// The thresholds, MeV: a cell counts when its energy is above (0: any deposit, the sparsity).
    /// Our choice: 0.1 MeV, about the energy a 0.1–0.2 MeV photon or electron leaves where it
    /// stops; 0.3 and 1 MeV, near the 10th percentile and the median of Geant4's non-zero
    /// back-layer cells at 10 GeV (0.29 and 1.09 MeV in `photon_10GeV.h5`, total deposit).
    public static let thresholdsMeV: [Double] = [0, 0.1, 0.3, 1]

    /// [layer][threshold]: the mean share of the layer's cells above the threshold.
    public var shares: [[Double]]
    /// [layer][threshold]: its standard error over the events.
    public var errors: [[Double]]

    /// The occupancy of the total-deposit images of `sample` in geometry `g`.
    public init(_ sample: ImageSample, geometry g: CalorimeterGeometry) {
        var shares: [[Double]] = [], errors: [[Double]] = []
        for (l, layer) in g.layers.enumerated() {
            let offset = g.layerOffsets[l], n = layer.cellCount
            var row: [Double] = [], rowErrors: [Double] = []
            for t in CellOccupancy.thresholdsMeV {
                let perEvent = (0 ..< sample.count).map { e -> Double in
                    let base = e * g.totalCells + offset
                    var above = 0
                    for c in 0 ..< n where Double(sample.cells[base + c]) > t { above += 1 }
                    return Double(above) / Double(n)
                }
                let s = Summary(perEvent)
                row.append(s.mean); rowErrors.append(s.standardError)
            }
            shares.append(row); errors.append(rowErrors)
        }
        self.shares = shares; self.errors = errors
    }
}

extension ValidationOutput {
    /// Rows of ``occupancyTable(_:name:events:seed:)`` for one sample (named `sample`): per layer, Geant4's share
    /// of cells above 0 and above 1 MeV, and ours relative to Geant4's, in per cent, at every
    /// threshold (± the two samples' combined statistical error).
    public static func occupancyRows(_ sample: String, reference g4: CellOccupancy, simulated ours: CellOccupancy) -> [[String]] {
        let last = CellOccupancy.thresholdsMeV.count - 1
        return g4.shares.indices.map { l in
            [sample, "\(l)", fmt(g4.shares[l][0], 3), fmt(g4.shares[l][last], 3)]
                + CellOccupancy.thresholdsMeV.indices.map { k in
                    let d = relativeDeviation(reference: g4.shares[l][k], g4.errors[l][k], simulated: ours.shares[l][k], ours.errors[l][k])
                    return d.value.isFinite ? "\(pct(d.value)) ± \(fmt(100 * d.error, 1))" : "—"
                }
        }
    }

    /// The cells above 0, 0.1, 0.3 and 1 MeV per sample and layer (``CellOccupancy``).
    public static func occupancyTable(_ rows: [[String]], name: String, events: Int, seed: UInt64) -> ResultTable {
        let ts = CellOccupancy.thresholdsMeV.map { $0 == 0 ? "> 0" : "> \(fmt($0, $0 < 1 ? 1 : 0))" }
        return ResultTable(caption: "Cells with energy: the share of each layer's cells (total deposit) above 0 (the sparsity), 0.1, 0.3 and 1 MeV, Geant4's above 0 and 1 MeV, and ours (\(name) tuning, \(events) events, seed \(seed)) relative to Geant4's in per cent at each threshold, ± the statistical error.",
                           header: ["sample", "layer", "Geant4 > 0", "Geant4 > 1 MeV"] + ts.map { "Δ % \($0)" },
                           rows: rows)
    }

    /// Macros of the occupancy over all samples (`rows` from ``occupancyRows(_:reference:simulated:)``):
    /// per layer, the smallest and largest relative deviation of ours at each threshold, in per
    /// cent (e.g. `\ValOccLayerOneOneMeVMin`: the layer spelled by ``macroName(_:)``, the
    /// thresholds 0, 0.1, 0.3 and 1 MeV as `Zero`, `PointOne`, `PointThree`, `OneMeV`).
    public static func occupancyMacros(_ rows: [[String]], prefix: String = "") -> [String] {
        var out: [String] = []
        let thresholdNames = ["Zero", "PointOne", "PointThree", "OneMeV"]
        for layer in Set(rows.map { $0[1] }).sorted() {
            let mine = rows.filter { $0[1] == layer }, layerName = macroName(layer)
            for (k, tn) in thresholdNames.enumerated() {
                let values = mine.compactMap { Double($0[4 + k].split(separator: " ").first ?? "") }
                guard let lo = values.min(), let hi = values.max() else { continue }
                func signed(_ v: Double) -> String { String(format: "%+.0f", v).replacingOccurrences(of: "-", with: "$-$").replacingOccurrences(of: "+", with: "$+$") }
                out += ["\\newcommand{\\Val\(prefix)OccLayer\(layerName)\(tn)Min}{\(signed(lo))}",
                        "\\newcommand{\\Val\(prefix)OccLayer\(layerName)\(tn)Max}{\(signed(hi))}"]
            }
        }
        return out
    }
}
