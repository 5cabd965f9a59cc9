// Readout (the DocC article 'The toy calorimeter': Geometry, Electronic noise, The noise burst):
// binning edges, overflow, cross-talk.
import CalorimeterSimulation
import Foundation
import Testing

@Suite("Readout")
struct ReadoutTests {
    let g = CalorimeterGeometry.caloGAN

    @Test("cell edges: x_k = −240 + kΔx, a point on an inner edge belongs to the cell above")
    func binningEdges() {
        // Layer 0: 3 × 96 cells of 160 × 5 mm.
        #expect(g.cell(layer: 0, x: -240 + 160, y: -240) == nil)          // on the window edge: outside
        #expect(g.cell(layer: 0, x: -240 + 160, y: -240 + 5) == 1 * 96 + 1)
        #expect(g.cell(layer: 0, x: -239.999, y: -239.999) == 0)
        #expect(g.cell(layer: 0, x: 239.999, y: 239.999) == 2 * 96 + 95)
        // The beam axis hits a cell boundary in layer 1 and in y of layer 0 (as CaloGAN).
        #expect(g.cell(layer: 1, x: 0, y: 0) == 6 * 12 + 6)
        #expect(g.cell(layer: 1, x: -1e-9, y: -1e-9) == 5 * 12 + 5)
        #expect(g.cell(layer: 0, x: 0, y: 0) == 1 * 96 + 48)
        // Layer 2: 12 × 6 cells of 40 × 80 mm.
        #expect(g.cell(layer: 2, x: 0, y: 0) == 6 * 6 + 3)
        #expect(g.cell(layer: 2, x: -200, y: 160) == 1 * 6 + 5)
        // Outside the window: overflow.
        for (x, y) in [(240.0, 0.0), (-240.0, 0.0), (0.0, 240.0), (0.0, -240.0), (300.0, 10.0)] {
            #expect(g.cell(layer: 1, x: x, y: y) == nil)
        }
        #expect(g.totalCells == 504 && g.layerOffsets == [0, 288, 432])
    }

    @Test("depth ranges 0–90, 90–437, 437–480 mm")
    func depthRanges() {
        #expect(g.layer(atDepth: 0) == 0 && g.layer(atDepth: 89.999) == 0)
        #expect(g.layer(atDepth: 90) == 1 && g.layer(atDepth: 436.999) == 1)
        #expect(g.layer(atDepth: 437) == 2 && g.layer(atDepth: 479.999) == 2)
        #expect(g.layer(atDepth: 480) == nil && g.layer(atDepth: -1) == nil)
    }

    @Test("a shower outside the window but on the plates lands in the overflow")
    func overflow() {
        let (image, record) = showerOnAxis(.electron, energyMeV: 10000, seed: 4, x0: 400)
        #expect(record != nil)
        #expect(image.cells.allSatisfy { $0 == 0 } || Double(image.cells.reduce(0, +)) < 0.01 * image.totalEnergy)
        #expect(Double(image.overflow.reduce(0, +)) > 0.99 * image.totalEnergy)
        // Beyond the 1 m plates: the particle misses the calorimeter.
        let (missed, none) = showerOnAxis(.electron, energyMeV: 10000, seed: 4, x0: 600)
        #expect(none == nil && missed.totalEnergy == 0)
    }

    @Test("noise burst: one middle-layer cell, exactly 1 % into each of its 4 neighbours, nothing else")
    func crossTalk() {
        let sim = EventSimulator()
        let label = sim.registry.index(of: "noise_burst")!
        let layer = g.layers[1], off = g.layerOffsets[1]
        for seed in UInt64(1) ... 200 {
            let image = sim.simulate(label: label, rng: RandomStream(seed: seed))
            let hot = (0 ..< layer.cellCount).max { image.cells[off + $0] < image.cells[off + $1] }!
            let eb = image.cells[off + hot]
            #expect(eb >= 0.5 * 20000 && eb <= 1.5 * 20000)
            let ix = hot / layer.cellsY, iy = hot % layer.cellsY
            var neighbours = Set<Int>()
            for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let jx = ix + dx, jy = iy + dy
                if jx >= 0, jx < layer.cellsX, jy >= 0, jy < layer.cellsY { neighbours.insert(off + jx * layer.cellsY + jy) }
            }
            for c in 0 ..< g.totalCells where c != off + hot {
                if neighbours.contains(c) {
                    // 1 % of the burst, to float32 rounding of the two products.
                    #expect(abs(image.cells[c] - 0.01 * eb) <= 1e-6 * eb, "seed \(seed) cell \(c)")
                } else {
                    #expect(image.cells[c] == 0, "seed \(seed) cell \(c)")
                }
            }
            #expect(image.overflow == [0, 0, 0])
        }
    }

    @Test("electronic noise: per-layer σ 10 / 25 / 15 MeV, zero mean")
    func electronicNoise() {
        var image = CalorimeterImage(geometry: g)
        let rng = RandomStream(seed: 29)
        var sums = [0.0, 0.0, 0.0], squares = [0.0, 0.0, 0.0], counts = [0.0, 0.0, 0.0]
        for _ in 0 ..< 200 {
            image = CalorimeterImage(geometry: g)
            ElectronicNoise.atlasLike.apply(to: &image, geometry: g, scale: 1, rng: rng)
            for l in 0 ..< 3 {
                for c in g.layerOffsets[l] ..< g.layerOffsets[l] + g.layers[l].cellCount {
                    sums[l] += Double(image.cells[c]); squares[l] += Double(image.cells[c] * image.cells[c]); counts[l] += 1
                }
            }
        }
        for (l, sigma) in [10.0, 25.0, 15.0].enumerated() {
            let sd = (squares[l] / counts[l]).squareRoot()
            #expect(abs(sd - sigma) < 0.03 * sigma, "layer \(l): σ = \(sd)")
            #expect(abs(sums[l] / counts[l]) < 4 * sigma / counts[l].squareRoot())
        }
    }
}
