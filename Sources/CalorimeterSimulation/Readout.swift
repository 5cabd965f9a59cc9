// The readout of one event: cell energies per layer, overflow, electronic noise (Paper §3;
// the DocC article 'The toy calorimeter', sections Geometry and 'Electronic noise').

/// The calorimeter image of one event: all cells of all layers in one flat vector (layer 0's
/// 288 cells, then layer 1's 144, then layer 2's 72; each layer (x, y) row-major) plus one
/// overflow value per layer. Energies in MeV.
public struct CalorimeterImage: Sendable, Equatable {
    /// Cell energies in MeV, `geometry.totalCells` of them (504 for CaloGAN).
    public var cells: [Float]
    /// Per layer, the energy deposited outside the transverse window, MeV.
    public var overflow: [Float]

    /// An empty image for `geometry`.
    public init(geometry: CalorimeterGeometry) {
        cells = [Float](repeating: 0, count: geometry.totalCells)
        overflow = [Float](repeating: 0, count: geometry.layers.count)
    }

    /// Total energy in the cells and overflow, MeV.
    public var totalEnergy: Double {
        cells.reduce(0) { $0 + Double($1) } + overflow.reduce(0) { $0 + Double($1) }
    }

    /// Energy in layer `l` (cells only), MeV.
    public func layerEnergy(_ l: Int, geometry: CalorimeterGeometry) -> Double {
        let start = geometry.layerOffsets[l]
        return cells[start ..< start + geometry.layers[l].cellCount].reduce(0) { $0 + Double($1) }
    }
}

/// Gaussian electronic noise per cell (<doc:TheToyCalorimeter>, "Electronic noise": ATLAS-like
/// 10 / 25 / 15 MeV for layers 0 / 1 / 2 at the total-energy scale; scaled by the sampling fraction at the visible scale).
///
/// Our choice: noise is **off by default**, as in the public CaloGAN data the study's images
/// mimic; `--noise on` adds it. Noise is symmetric, so cells may become negative, as in a real
/// calorimeter after pedestal subtraction.
public struct ElectronicNoise: Sendable, Equatable {
    /// σ per layer in MeV at the total-energy scale.
    public var sigmaMeV: [Double]

    /// The documented default, 10 / 25 / 15 MeV.
    public static let atlasLike = ElectronicNoise(sigmaMeV: [10, 25, 15])

    /// Add one Gaussian draw per cell; `scale` converts to the deposit mode's energy scale.
    public func apply(to image: inout CalorimeterImage, geometry: CalorimeterGeometry,
                      scale: Double, rng: RandomStream) {
        for (l, layer) in geometry.layers.enumerated() {
            let sigma = sigmaMeV[l] * scale
            let start = geometry.layerOffsets[l]
            for c in start ..< start + layer.cellCount {
                image.cells[c] += Float(sigma * rng.gaussian())
            }
        }
    }
}
