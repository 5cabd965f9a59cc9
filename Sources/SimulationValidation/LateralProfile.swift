// The lateral profile at the millimetre scale, per readout layer: Geant4's mean radial profile
// (the references' `mean_radial_profile`, energy per Pb/LAr period and radial bin about the beam
// axis) projected on y, against our showers read out in 0.5 mm strips. CaloGAN's cells (5 mm
// strips in layer 0, 40 mm cells behind) see this profile only through the hottest cell and
// E_ratio, and a single particle fired at the centre of the face sits on a strip edge, where a
// narrow core and a wandering axis look alike; the profile tells them apart.
import CalorimeterSimulation
import Foundation
import StudyData

/// The fraction of each readout layer's energy within |y| < c of the beam axis, Geant4 against
/// our simulator, for the cuts ``cutsMM`` in layers 0 and 1.
///
/// Geant4: a ring of radius r about the axis has the share (2/π) arcsin(c/r) of its energy
/// within |y| < c (all of it for r ≤ c); each radial bin's energy is spread evenly over its
/// radii (16 points), the open last bin (r ≥ 500 mm) counts outside every cut, and a period
/// belongs to the layer that holds its centre (one period of 80 straddles the layer 1/2 edge at
/// 437 mm). Ours: the same particles with every layer read out in strips of ``stripMM`` along y
/// (one cell across the window in x), so |y| < c is a sum of whole strips. Both are ratios of
/// sums over the events (energy within the cut over the layer's energy, overflow included).
public struct LateralContainment: Sendable, Equatable {
    /// The cuts |y| < c, mm (our choice: the 5 mm strip's half and whole width, and wider).
    public static let cutsMM: [Double] = [1, 2.5, 5, 10, 20]
    /// The layers compared (layer 2 holds under 1 % of the energy).
    public static let layers = [0, 1]
    /// Strip width of our fine readout, mm (every cut is a multiple of it).
    public static let stripMM = 0.5

    /// Geant4's fractions, [layer][cut].
    public var reference: [[Double]]
    /// Ours, [layer][cut].
    public var simulated: [[Double]]

    /// Geant4's fractions from the reference file at `path`, or nil if it has no
    /// `mean_radial_profile` (N periods × {Pb, LAr} × bins, with the attribute
    /// `radial_bin_edges_mm`, bins + 1 increasing edges, the last may be infinite).
    public static func reference(path: String, geometry g: CalorimeterGeometry = .caloGAN) throws -> [[Double]]? {
        try reference(file: try HDF5File.open(path), path: path, geometry: g)
    }

    /// ``reference(path:geometry:)`` from the open file `f` (as ``ReferenceSample/read(from:geometry:)``
    /// reads it with the rest of the reference).
    static func reference(file f: HDF5File, path: String, geometry g: CalorimeterGeometry) throws -> [[Double]]? {
        guard f.contains("mean_radial_profile") else { return nil }
        let (profile, shape) = try f.read("mean_radial_profile", as: Double.self, expected: [nil, 2, nil])
        let edges = try f.doubleArrayAttribute("radial_bin_edges_mm", ofDataset: "mean_radial_profile")
        let periods = shape[0], bins = shape[2]
        guard edges.count == bins + 1, edges.first == 0, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw HDF5Error("\(path): radial_bin_edges_mm must be \(bins + 1) increasing edges from 0 (got \(edges.count))")
        }
        guard profile.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw HDF5Error("\(path): mean_radial_profile has negative or non-finite values") }
        let period = g.medium.absorberThickness + g.medium.activeThickness
        // Each bin's share within each cut (16 radii's sum), the same for every period.
        let shares: [[Double]] = (0 ..< bins).map { b in
            cutsMM.map { c in
                guard edges[b + 1].isFinite else { return 0 }
                var share = 0.0
                for i in 0 ..< 16 {
                    let r = edges[b] + (Double(i) + 0.5) / 16 * (edges[b + 1] - edges[b])
                    share += ringWithin(c, radius: r)
                }
                return share
            }
        }
        var within = [[Double]](repeating: [Double](repeating: 0, count: cutsMM.count), count: layers.count)
        var total = [Double](repeating: 0, count: layers.count)
        for p in 0 ..< periods {
            guard let l = g.layer(atDepth: (Double(p) + 0.5) * period), let li = layers.firstIndex(of: l) else { continue }
            for b in 0 ..< bins {
                let e = profile[(p * 2) * bins + b] + profile[(p * 2 + 1) * bins + b]
                total[li] += e
                guard e > 0, edges[b + 1].isFinite else { continue }
                for k in cutsMM.indices { within[li][k] += e * shares[b][k] / 16 }
            }
        }
        return layers.indices.map { li in within[li].map { total[li] > 0 ? $0 / total[li] : 0 } }
    }

    /// The share of a ring of radius `r` about the axis that lies within |y| < `c`.
    public static func ringWithin(_ c: Double, radius r: Double) -> Double {
        r <= c ? 1 : 2 / Double.pi * asin(c / r)
    }

    /// `geometry` with every layer read out in strips of ``stripMM`` along y across the window
    /// (one cell in x), the depths and plates unchanged.
    public static func fineGeometry(_ g: CalorimeterGeometry) -> CalorimeterGeometry {
        let w = g.windowHalfWidth, strips = Int((2 * w / stripMM).rounded())
        return CalorimeterGeometry(layers: g.layers.map {
            ReadoutLayer(cellsX: 1, cellsY: strips, cellSizeX: 2 * w, cellSizeY: stripMM, zMin: $0.zMin, zMax: $0.zMax)
        }, windowHalfWidth: w, plateHalfWidth: g.plateHalfWidth, medium: g.medium)
    }

    /// Our fractions for `setup`: `events` showers of the geant4 tuning with `overrides` (total
    /// deposit), from `seed`, on the fine readout of `geometry`.
    public static func simulated(_ setup: SampleSetup, events: Int, seed: UInt64, overrides: [String: Double] = [:],
                                 threads: Int, geometry g: CalorimeterGeometry = .caloGAN) throws -> [[Double]] {
        let fine = fineGeometry(g)
        let sample = try SimulatedSample.images(setup, count: events, seed: seed, tuning: .geant4, mode: .total, threads: threads,
                                                overrides: overrides, geometry: fine)
        let w = fine.windowHalfWidth
        return layers.map { l in
            let layer = fine.layers[l], off = fine.layerOffsets[l]
            var strips = [Double](repeating: 0, count: layer.cellsY), overflow = 0.0
            for e in 0 ..< events {
                for j in 0 ..< layer.cellsY { strips[j] += Double(sample.cells[e * fine.totalCells + off + j]) }
                overflow += Double(sample.overflow[e * fine.layers.count + l])
            }
            let total = strips.reduce(0, +) + overflow
            return cutsMM.map { c in
                var s = 0.0
                for (j, v) in strips.enumerated() where abs(-w + (Double(j) + 0.5) * stripMM) < c { s += v }
                return total > 0 ? s / total : 0
            }
        }
    }
}
