// The autoencoder detector's network (beyond the talk): its hand-derived backward pass against
// central finite differences, a plain double-precision reference forward, the same bits for any
// thread count, and that it does what a detector needs — reconstruct its training class better
// than a clearly different one.
import BayesianNetworks
import CalorimeterSimulation
import Foundation
import Testing

@Suite("Autoencoder")
struct AutoencoderTests {
    /// Inputs like preprocessed cells: mostly O(0.3) values, about a third exactly zero (empty cells).
    func inputs(_ n: Int, _ d: Int, _ r: TestRandom) -> [Float] {
        r.normals(n * d, scale: 0.3).map { r.rng.integer(below: 3) == 0 ? 0 : $0 }
    }

    /// The forward pass and ℓ in double precision, straight from the definition.
    func referenceErrors(_ ae: Autoencoder, x: [Float], count n: Int) -> [Double] {
        let d = ae.inputs, h = ae.hidden, t = ae.theta.map(Double.init)
        return (0 ..< n).map { e in
            let hv = (0 ..< h).map { j in max(0, t[d * h + j] + (0 ..< d).map { i in Double(x[e * d + i]) * t[i * h + j] }.reduce(0, +)) }
            let y = (0 ..< d).map { k in t[d * h + h + h * d + k] + (0 ..< h).map { j in hv[j] * t[d * h + h + j * d + k] }.reduce(0, +) }
            return (0 ..< d).map { k in (y[k] - Double(x[e * d + k])) * (y[k] - Double(x[e * d + k])) }.reduce(0, +) / Double(d)
        }
    }

    @Test("forward: reconstruction error = the definition in double precision")
    func forwardMatchesReference() {
        let r = TestRandom(31), d = 21, h = 6, n = 9
        let ae = Autoencoder(inputs: d, hidden: h, theta: r.normals(2 * d * h + h + d, scale: 0.4))
        let x = inputs(n, d, r)
        let got = ae.reconstructionErrors(x: x, count: n, threads: 2), want = referenceErrors(ae, x: x, count: n)
        for e in 0 ..< n { #expect(abs(got[e] - want[e]) <= 1e-5 * max(1, want[e]), "event \(e): \(got[e]) vs \(want[e])") }
    }

    // D = 21 runs the eight-lane dot product twice plus a scalar tail; B = 37 spans three shards.
    @Test("backward = central differences (W₁, b₁, W₂, b₂)", arguments: [(21, 6, 37), (8, 3, 5)])
    func gradientMatchesFiniteDifferences(shape: (Int, Int, Int)) {
        let (d, h, b) = shape
        let r = TestRandom(UInt64(17 + d))
        let theta0 = r.normals(2 * d * h + h + d, scale: 0.5)
        let x = inputs(b, d, r)
        let (_, g) = x.withUnsafeBufferPointer { Autoencoder(inputs: d, hidden: h, theta: theta0).lossAndGradient(x: $0.baseAddress!, count: b, threads: 2) }
        let probe = Autoencoder(inputs: d, hidden: h, theta: theta0)
        let loss: ([Float]) -> Double = { t in
            probe.theta = t
            return x.withUnsafeBufferPointer { probe.lossAndGradient(x: $0.baseAddress!, count: b, threads: 1).loss }
        }
        // A central difference across a ReLU kink measures neither side: an index of W₁ or b₁ of
        // hidden unit j is checked only if every event's pre-activation aⱼ stays ≥ 10 h from 0
        // (a step of h in W₁[i, j] moves aⱼ by |xᵢ| h ≤ 2 h here).
        let t = theta0.map(Double.init)
        var margin = [Double](repeating: .infinity, count: h)
        for j in 0 ..< h {
            for e in 0 ..< b {
                var a = t[d * h + j]
                for i in 0 ..< d { a += Double(x[e * d + i]) * t[i * h + j] }
                margin[j] = min(margin[j], abs(a))
            }
        }
        func smooth(_ i: Int) -> Bool { i >= d * h + h || margin[i < d * h ? i % h : i - d * h] > 1e-2 }
        // Every block: W₁ (0..<D·H), b₁, W₂, b₂ — sampled, plus the first and last of each.
        let blocks = [0 ..< d * h, d * h ..< d * h + h, d * h + h ..< 2 * d * h + h, 2 * d * h + h ..< 2 * d * h + h + d]
        var checked = 0
        for block in blocks {
            let idx = ([block.lowerBound, block.upperBound - 1] + (0 ..< 8).map { _ in block.lowerBound + r.rng.integer(below: block.count) }).filter(smooth)
            checked += idx.count
            expectGradient("θ\(block)", theta0, analytic: g, indices: idx, h: 1e-3, abs: 1e-4, rel: 1e-2, loss)
        }
        #expect(checked >= 30, "only \(checked) of 40 indices away from a kink")
        // The loss itself: the mean of the per-event errors.
        let errors = Autoencoder(inputs: d, hidden: h, theta: theta0).reconstructionErrors(x: x, count: b, threads: 1)
        #expect(abs(loss(theta0) - errors.reduce(0, +) / Double(b)) < 1e-9)
    }

    @Test("same seed → same bits for 1, 2 and 3 threads (training and scores); another seed differs")
    func threadsDoNotChangeBits() throws {
        let r = TestRandom(5), d = 40, n = 300
        let x = inputs(n, d, r), v = inputs(50, d, r)
        func run(_ threads: Int, seed: UInt64 = 9) throws -> ([Float], [Double], AutoencoderHistory) {
            var o = AutoencoderOptions()
            o.epochs = 3; o.batchSize = 70; o.hidden = 8; o.seed = seed; o.threads = threads
            let (ae, hist) = try Autoencoder.train(x: x, count: n, inputs: d, validation: (v, 50), options: o)
            return (ae.theta, ae.reconstructionErrors(x: v, count: 50, threads: threads), hist)
        }
        let one = try run(1), two = try run(2), three = try run(3)
        #expect(one.0.map(\.bitPattern) == two.0.map(\.bitPattern) && one.0.map(\.bitPattern) == three.0.map(\.bitPattern))
        #expect(one.1.map(\.bitPattern) == two.1.map(\.bitPattern) && one.1.map(\.bitPattern) == three.1.map(\.bitPattern))
        #expect(one.2 == two.2 && one.2.validationLoss.count == 3 && (1 ... 3).contains(one.2.bestEpoch))
        // The seed matters (initialisation and shuffling come from it).
        #expect(try run(1, seed: 10).0 != one.0)
    }

    @Test("bad data are refused with a message, not a crash")
    func badData() {
        var o = AutoencoderOptions(); o.epochs = 1
        #expect(throws: TrainingError.self) { try Autoencoder.train(x: [], count: 0, inputs: 4, options: o) }
        #expect(throws: TrainingError.self) { try Autoencoder.train(x: [1, 2, 3], count: 1, inputs: 4, options: o) }
        o.learningRate = .infinity
        #expect(throws: TrainingError.self) { try Autoencoder.train(x: [Float](repeating: 1, count: 8), count: 2, inputs: 4, options: o) }
    }

    /// The detector's premise on simulated showers: trained on photons only, the autoencoder
    /// reconstructs new photons better than J/ψ → e⁺e⁻ events (two separated showers) — on average
    /// and event by event (AUROC of the error > 0.9). It must fail for an untrained network or a
    /// backward pass with a wrong sign.
    @Test("trained on photons, it reconstructs photons better than J/ψ → e⁺e⁻")
    func reconstructsItsOwnClassBetter() throws {
        let registry = EventRegistry.study
        let sim = EventSimulator(registry: registry)
        let photon = registry.index(of: "photon")!, jpsi = registry.index(of: "jpsi_ee")!
        let train = EventGenerator(simulator: sim, seed: 71, threads: 2).generate(labels: [photon], perClass: 400)
        let test = EventGenerator(simulator: sim, seed: 72, threads: 2).generate(labels: [photon, jpsi], perClass: 100)
        let pre = Preprocessing(), d = train.cells.count / train.count
        var o = AutoencoderOptions(); o.epochs = 15; o.seed = 3
        let (ae, history) = try Autoencoder.train(x: pre.apply(train.cells, cellsPerEvent: d), count: train.count, inputs: d, options: o)
        #expect(history.trainLoss.last! < 0.5 * history.trainLoss.first!, "training loss \(history.trainLoss)")
        let err = ae.reconstructionErrors(x: pre.apply(test.cells, cellsPerEvent: d), count: test.count, threads: 2)
        let own = (0 ..< test.count).filter { Int(test.label[$0]) == photon }.map { err[$0] }
        let other = (0 ..< test.count).filter { Int(test.label[$0]) == jpsi }.map { err[$0] }
        let meanOwn = own.reduce(0, +) / Double(own.count), meanOther = other.reduce(0, +) / Double(other.count)
        var wins = 0.0
        for a in other { for b in own { wins += a > b ? 1 : a == b ? 0.5 : 0 } }
        let auroc = wins / Double(own.count * other.count)
        #expect(meanOther > 2 * meanOwn, "mean error photon \(meanOwn), J/ψ \(meanOther)")
        #expect(auroc > 0.9, "AUROC \(auroc)")
    }
}
