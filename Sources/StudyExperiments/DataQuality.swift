// Data-quality cuts: the floor every learned anomaly score must beat. Six one-variable summaries
// of an event's cells, the kind a detector's data-quality monitoring applies before any network:
// the energy in each layer, the total, the number of cells above a threshold, and the fraction of
// the energy in the hottest cell. As anomaly scores they know nothing of the anomaly: each is a
// two-sided tail score fixed on the known classes' events, s(x) = |F(x) − ½| with F the known
// classes' empirical distribution function (mid-ranks for ties), so an event is the more anomalous
// the further into either tail of the known events it lies.
import CalorimeterSimulation
import Foundation
import StudyData

/// The one-variable data-quality summaries of an event.
public enum DataQualityVariable: String, CaseIterable, Sendable {
    /// Energy in layer 0 (the strip layer), MeV.
    case layer0 = "dq_e_layer0"
    /// Energy in layer 1 (the middle layer), MeV.
    case layer1 = "dq_e_layer1"
    /// Energy in layer 2 (the back layer), MeV.
    case layer2 = "dq_e_layer2"
    /// Sum over all cells, MeV.
    case total = "dq_e_total"
    /// Cells above ``DataQualityVariable/cellThresholdMeV``.
    case activeCells = "dq_active_cells"
    /// Energy of the hottest cell over the total.
    case hottestFraction = "dq_hottest_fraction"

    /// The threshold of ``activeCells``: 10 MeV, the electronic-noise σ of the strip layer at total
    /// scale (our choice: a cell an operator would call "lit" even with noise on).
    public static let cellThresholdMeV: Float = 10

    /// Label for tables.
    public var label: String {
        switch self {
        case .layer0: "E layer 0"
        case .layer1: "E layer 1"
        case .layer2: "E layer 2"
        case .total: "E total"
        case .activeCells: "cells > 10 MeV"
        case .hottestFraction: "hottest-cell fraction"
        }
    }

    /// The variable for every event of `dataset`, in event order.
    public func values(_ dataset: CaloDataset) -> [Double] {
        let g = dataset.geometry, cells = dataset.batch.cells, n = dataset.batch.count, c = g.totalCells
        return (0 ..< n).map { e in
            let event = cells[e * c ..< (e + 1) * c]
            func layer(_ l: Int) -> Double {
                let lo = e * c + g.layerOffsets[l]
                return cells[lo ..< lo + g.layers[l].cellCount].reduce(0) { $0 + Double($1) }
            }
            switch self {
            case .layer0: return layer(0)
            case .layer1: return layer(1)
            case .layer2: return layer(2)
            case .total: return event.reduce(0) { $0 + Double($1) }
            case .activeCells: return Double(event.filter { $0 > DataQualityVariable.cellThresholdMeV }.count)
            case .hottestFraction:
                let total = event.reduce(0) { $0 + Double($1) }
                return total > 0 ? Double(event.max()!) / total : 0
            }
        }
    }
}

/// The two-sided tail score of `values`, fixed on the events `reference` (the known classes):
/// |F(x) − ½| with F the mid-rank empirical distribution function of the reference values.
public func twoSidedTailScore(_ values: [Double], reference: [Double]) -> [Double] {
    let sorted = reference.sorted(), n = Double(sorted.count)
    func below(_ x: Double) -> Int {            // number of reference values < x
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }
    func atMost(_ x: Double) -> Int {           // number of reference values ≤ x
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= x { lo = mid + 1 } else { hi = mid } }
        return lo
    }
    return values.map { x in
        let f = (Double(below(x)) + 0.5 * Double(atMost(x) - below(x))) / n
        return abs(f - 0.5)
    }
}
