// Where a layer's two hottest cells lie, Geant4 against ours: what E_ratio (their asymmetry)
// summarises. In the back layer E_ratio is below Geant4's in every reference sample (table
// `systematic`); this table says how: whether the second-hottest cell is a neighbour of the
// hottest, and how far the layer's energy centroid moves from shower to shower.
import CalorimeterSimulation
import Foundation
import StudyReport

/// Per readout layer: the share of showers whose second-hottest cell is not one of the hottest
/// cell's eight neighbours (of the showers with at least two cells hit), with its standard error,
/// and the shower-to-shower standard deviation of the layer's energy centroid in x and in y, in
/// cell widths.
public struct HotCellPattern: Sendable, Equatable {
    /// [layer]: the share of showers whose second-hottest cell is not next to the hottest.
    public var farSecond: [Double]
    /// [layer]: its binomial standard error.
    public var farSecondErrors: [Double]
    /// [layer]: σ of the energy centroid's x over the showers, in cell widths.
    public var centroidSpreadX: [Double]
    /// [layer]: the same in y.
    public var centroidSpreadY: [Double]

    /// The pattern of the total-deposit images of `sample` in geometry `g`.
    public init(_ sample: ImageSample, geometry g: CalorimeterGeometry) {
        var far: [Double] = [], farErr: [Double] = [], sx: [Double] = [], sy: [Double] = []
        for (l, layer) in g.layers.enumerated() {
            let offset = g.layerOffsets[l], ny = layer.cellsY
            var farCount = 0, pairs = 0
            var cx: [Double] = [], cy: [Double] = []
            for e in 0 ..< sample.count {
                let base = e * g.totalCells + offset
                var first = -1, second = -1
                var total = 0.0, mx = 0.0, my = 0.0
                for c in 0 ..< layer.cellCount {
                    let v = Double(sample.cells[base + c])
                    guard v > 0 else { continue }
                    total += v; mx += v * Double(c / ny); my += v * Double(c % ny)
                    if first < 0 || v > Double(sample.cells[base + first]) { second = first; first = c }
                    else if second < 0 || v > Double(sample.cells[base + second]) { second = c }
                }
                if total > 0 { cx.append(mx / total); cy.append(my / total) }
                guard second >= 0 else { continue }
                pairs += 1
                if max(abs(first / ny - second / ny), abs(first % ny - second % ny)) > 1 { farCount += 1 }
            }
            let p = pairs > 0 ? Double(farCount) / Double(pairs) : 0
            far.append(p); farErr.append(pairs > 0 ? (p * (1 - p) / Double(pairs)).squareRoot() : 0)
            sx.append(cx.count > 1 ? Summary(cx).std : 0); sy.append(cy.count > 1 ? Summary(cy).std : 0)
        }
        farSecond = far; farSecondErrors = farErr; centroidSpreadX = sx; centroidSpreadY = sy
    }
}

extension ValidationOutput {
    /// Rows of ``hotCellTable(_:name:events:seed:)`` for one sample (named `sample`): per layer,
    /// Geant4's and our share of showers with the second-hottest cell away from the hottest
    /// (in per cent ± its error), and the centroid's spread in x and y (cell widths).
    public static func hotCellRows(_ sample: String, reference g4: HotCellPattern, simulated ours: HotCellPattern) -> [[String]] {
        g4.farSecond.indices.map { l in
            [sample, "\(l)",
             "\(fmt(100 * g4.farSecond[l], 0)) ± \(fmt(100 * g4.farSecondErrors[l], 0))",
             "\(fmt(100 * ours.farSecond[l], 0)) ± \(fmt(100 * ours.farSecondErrors[l], 0))",
             "\(fmt(g4.centroidSpreadX[l], 2)) / \(fmt(g4.centroidSpreadY[l], 2))",
             "\(fmt(ours.centroidSpreadX[l], 2)) / \(fmt(ours.centroidSpreadY[l], 2))"]
        }
    }

    /// Where the two hottest cells lie, per sample and layer (``HotCellPattern``).
    public static func hotCellTable(_ rows: [[String]], name: String, events: Int, seed: UInt64) -> ResultTable {
        ResultTable(caption: "Where a layer's two hottest cells lie (total deposit): the share of showers, in per cent, whose second-hottest cell is not one of the hottest's eight neighbours, Geant4's and ours (\(name) tuning, \(events) events, seed \(seed)), and the shower-to-shower spread of the layer's energy centroid in x / y, in cell widths.",
                    header: ["sample", "layer", "second away % Geant4", "second away % ours", "centroid σ x / y Geant4", "centroid σ x / y ours"],
                    rows: rows)
    }
}
