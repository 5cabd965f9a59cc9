// The CaloGAN calorimeter geometry and its readout binning (Paper §3; the DocC article
// 'The toy calorimeter', section Geometry; arXiv:1712.10321;
// hep-lbdl/CaloGAN generation/src/DetectorConstruction.cc and SteppingAction.cc).
//
// Coordinates: x, y transverse in mm with the beam axis at (0, 0); z = depth in mm from the
// calorimeter's front face. Readout layers are depth ranges, not separate volumes.

/// One readout layer: a depth range binned into a regular grid of cells.
public struct ReadoutLayer: Sendable, Equatable {
    /// Number of cells along x.
    public let cellsX: Int
    /// Number of cells along y.
    public let cellsY: Int
    /// Cell size along x, mm.
    public let cellSizeX: Double
    /// Cell size along y, mm.
    public let cellSizeY: Double
    /// Depth range [zMin, zMax) in mm from the front face.
    public let zMin: Double
    /// End of the depth range, mm.
    public let zMax: Double

    /// Number of cells, cellsX × cellsY.
    public var cellCount: Int { cellsX * cellsY }

    /// A layer of cellsX × cellsY cells of cellSizeX × cellSizeY mm over depths [zMin, zMax) mm
    /// (e.g. a finer readout than CaloGAN's, to look at a shower's lateral profile).
    public init(cellsX: Int, cellsY: Int, cellSizeX: Double, cellSizeY: Double, zMin: Double, zMax: Double) {
        self.cellsX = cellsX; self.cellsY = cellsY; self.cellSizeX = cellSizeX; self.cellSizeY = cellSizeY
        self.zMin = zMin; self.zMax = zMax
    }
}

/// The CaloGAN geometry: 80 periods of 2 mm Pb + 4 mm LAr (480 mm), read out in three layers
/// of 3×96, 12×12 and 12×6 cells over the transverse window x, y ∈ (−240, 240) mm.
///
/// Image layout follows CaloGAN's HDF5 files: layer ℓ is an array (cellsX, cellsY), first index
/// x, flattened row-major, so cell (ix, iy) sits at `ix * cellsY + iy`.
public struct CalorimeterGeometry: Sendable {
    /// The three readout layers, front to back.
    public let layers: [ReadoutLayer]
    /// Half-width of the transverse readout window, mm (deposits outside go to overflow).
    public let windowHalfWidth: Double
    /// Half-width of the absorber plates, mm: a particle hitting the face outside misses.
    public let plateHalfWidth: Double
    /// The material stack.
    public let medium: SamplingMedium

    /// Total depth, mm.
    public var depth: Double { layers.last!.zMax }
    /// Offset of layer ℓ's first cell in the concatenated cell vector.
    public let layerOffsets: [Int]
    /// Total number of cells of all layers (288 + 144 + 72 = 504 for CaloGAN).
    public let totalCells: Int

    /// A geometry from its layers and material.
    public init(layers: [ReadoutLayer], windowHalfWidth: Double, plateHalfWidth: Double, medium: SamplingMedium) {
        self.layers = layers
        self.windowHalfWidth = windowHalfWidth
        self.plateHalfWidth = plateHalfWidth
        self.medium = medium
        var offsets: [Int] = []
        var total = 0
        for layer in layers { offsets.append(total); total += layer.cellCount }
        layerOffsets = offsets
        totalCells = total
    }

    /// CaloGAN's geometry (arXiv:1712.10321; <doc:TheToyCalorimeter>).
    public static let caloGAN = CalorimeterGeometry(
        layers: [
            ReadoutLayer(cellsX: 3, cellsY: 96, cellSizeX: 160, cellSizeY: 5, zMin: 0, zMax: 90),
            ReadoutLayer(cellsX: 12, cellsY: 12, cellSizeX: 40, cellSizeY: 40, zMin: 90, zMax: 437),
            ReadoutLayer(cellsX: 12, cellsY: 6, cellSizeX: 40, cellSizeY: 80, zMin: 437, zMax: 480),
        ],
        windowHalfWidth: 240, plateHalfWidth: 500, medium: .caloGAN)

    /// The readout layer whose depth range holds `z` (mm), or nil outside the calorimeter.
    @inline(__always) public func layer(atDepth z: Double) -> Int? {
        for (i, layer) in layers.enumerated() where z >= layer.zMin && z < layer.zMax { return i }
        return nil
    }

    /// Index of the cell (within its layer) that holds (x, y) in mm, or nil if (x, y) is outside
    /// the readout window (the deposit then goes to the layer's overflow).
    ///
    /// Cell edges: x_k = −W + k·Δx for k = 0…cellsX; a point on an inner edge belongs to the
    /// cell above it (floor), as in CaloGAN's SteppingAction binning.
    @inline(__always) public func cell(layer l: Int, x: Double, y: Double) -> Int? {
        let w = windowHalfWidth
        guard x > -w, x < w, y > -w, y < w else { return nil }
        let layer = layers[l]
        // Division, not multiplication by 1/size: exact on cell edges (1/5, 1/40 are inexact).
        let ix = min(Int((x + w) / layer.cellSizeX), layer.cellsX - 1)
        let iy = min(Int((y + w) / layer.cellSizeY), layer.cellsY - 1)
        return ix * layer.cellsY + iy
    }
}
