// The CaloGAN shower-shape observables of one calorimeter image (validation of study §3 against
// Geant4; definitions from M. Paganini, L. de Oliveira, B. Nachman, "CaloGAN", arXiv:1712.10321,
// §4 and its public analysis code, hep-lbdl/CaloGAN `analysis/`).
//
// Units: energies in MeV (E_tot in GeV), widths in mm, depth in layer units (0, 1, 2).
// Shape legend: an image is `geometry.totalCells` floats (layer 0's 3×96, layer 1's 12×12,
// layer 2's 12×6, each (x, y) row-major, as ``CalorimeterImage``).
import CalorimeterSimulation
import Foundation

/// The shower-shape observables, in the order of ``ShowerShapes/values(_:geometry:)``.
///
/// Per layer ℓ (E_ℓ = energy in the layer's cells, E = Σ_ℓ E_ℓ, cells i with energy eᵢ at
/// cell centres (xᵢ, yᵢ)):
/// ```
///     f_ℓ          = E_ℓ / E                                   energy fraction
///     width_x_ℓ    = √(Σ eᵢxᵢ²/E_ℓ − (Σ eᵢxᵢ/E_ℓ)²)             RMS of the energy-weighted x profile
///     width_y_ℓ    = the same along y
///     sparsity_ℓ   = #{cells with eᵢ > 0} / #cells
///     E_ratio_ℓ    = (e₍₁₎ − e₍₂₎)/(e₍₁₎ + e₍₂₎)                 e₍₁₎ ≥ e₍₂₎ the two hottest cells
///     hottest_ℓ    = e₍₁₎ / E_ℓ
/// ```
/// and for the whole shower
/// ```
///     E_tot        = E / 1000                                  GeV, inside the readout window
///     depth        = Σ_ℓ ℓ E_ℓ / E                             the CaloGAN "shower depth"
///     depth_width  = √(Σ_ℓ ℓ² E_ℓ / E − depth²)
/// ```
/// An empty layer has widths, E_ratio and hottest fraction 0 (CaloGAN's convention for 0/0).
public enum ShowerShapes {
    /// Observable names, layer-major for the per-layer ones, then the global ones.
    public static func names(layers: Int = 3) -> [String] {
        var out: [String] = []
        for l in 0 ..< layers { out.append("f_\(l)") }
        for l in 0 ..< layers { out += ["width_x_\(l)", "width_y_\(l)"] }
        for l in 0 ..< layers { out.append("sparsity_\(l)") }
        for l in 0 ..< layers { out.append("E_ratio_\(l)") }
        for l in 0 ..< layers { out.append("hottest_\(l)") }
        out += ["E_tot", "depth", "depth_width"]
        return out
    }

    /// Unit of an observable (for table headers and axis labels).
    public static func unit(_ name: String) -> String {
        if name.hasPrefix("width") { return "mm" }
        if name == "E_tot" { return "GeV" }
        return ""
    }

    /// The observables of one image, in the order of ``names(layers:)``.
    public static func values(_ cells: UnsafeBufferPointer<Float>, geometry g: CalorimeterGeometry) -> [Double] {
        let nl = g.layers.count
        var energy = [Double](repeating: 0, count: nl)
        var wx = energy, wy = energy, sparsity = energy, ratio = energy, hottest = energy
        for (l, layer) in g.layers.enumerated() {
            let off = g.layerOffsets[l]
            var e = 0.0, sx = 0.0, sxx = 0.0, sy = 0.0, syy = 0.0
            var nonZero = 0, e1 = 0.0, e2 = 0.0
            for ix in 0 ..< layer.cellsX {
                let x = -g.windowHalfWidth + (Double(ix) + 0.5) * layer.cellSizeX
                for iy in 0 ..< layer.cellsY {
                    let v = Double(cells[off + ix * layer.cellsY + iy])
                    if v > 0 { nonZero += 1 }
                    if v > e1 { e2 = e1; e1 = v } else if v > e2 { e2 = v }
                    let y = -g.windowHalfWidth + (Double(iy) + 0.5) * layer.cellSizeY
                    e += v; sx += v * x; sxx += v * x * x; sy += v * y; syy += v * y * y
                }
            }
            energy[l] = e
            sparsity[l] = Double(nonZero) / Double(layer.cellCount)
            if e > 0 {
                let mx = sx / e, my = sy / e
                wx[l] = max(sxx / e - mx * mx, 0).squareRoot()
                wy[l] = max(syy / e - my * my, 0).squareRoot()
                hottest[l] = e1 / e
            }
            if e1 + e2 > 0 { ratio[l] = (e1 - e2) / (e1 + e2) }
        }
        let total = energy.reduce(0, +)
        let fractions = energy.map { total > 0 ? $0 / total : 0 }
        var depth = 0.0, depth2 = 0.0
        for l in 0 ..< nl { depth += Double(l) * fractions[l]; depth2 += Double(l * l) * fractions[l] }
        var out = fractions
        for l in 0 ..< nl { out += [wx[l], wy[l]] }
        out += sparsity + ratio + hottest
        out += [total / 1000, depth, max(depth2 - depth * depth, 0).squareRoot()]
        return out
    }

    /// The observables of every image of a flat array of `count` images: count × names.count.
    public static func table(cells: [Float], count: Int, geometry g: CalorimeterGeometry) -> [[Double]] {
        cells.withUnsafeBufferPointer { all in
            (0 ..< count).map { n in
                values(UnsafeBufferPointer(rebasing: all[n * g.totalCells ..< (n + 1) * g.totalCells]), geometry: g)
            }
        }
    }
}
