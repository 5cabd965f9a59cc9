// Layers of study §2/§4 against their definitions: Flipout forward vs explicit per-example
// weights, hand-derived backward passes vs central finite differences, the KL term and the
// softplus link.
import BayesianNetworks
import Testing

/// Finite-difference check of every coordinate in `indices` of `v`: the analytic gradient
/// must match the central difference within `abs + rel·|g|`.
/// Tolerance reason: L is evaluated in float32 (sums of ~10³ products → ~10⁻⁵ rounding),
/// divided by 2h = 2·10⁻², so differences are good to ~10⁻³ absolute.
func expectGradient(_ name: String, _ v: [Float], analytic: [Float], indices: [Int], h: Float = 1e-2,
                    abs: Double = 3e-3, rel: Double = 1e-2, _ f: ([Float]) -> Double) {
    for i in indices {
        let fd = centralDifference(v, i, h: h, f)
        let g = Double(analytic[i])
        #expect(Swift.abs(fd - g) <= abs + rel * Swift.abs(g), "\(name)[\(i)]: analytic \(g), finite difference \(fd)")
    }
}

func sampleIndices(_ count: Int, _ k: Int, _ r: TestRandom) -> [Int] {
    count <= k ? Array(0 ..< count) : (0 ..< k).map { _ in r.rng.integer(below: count) }
}

@Suite("Flipout layers")
struct FlipoutLayerTests {
    func convHarness(filters f: Int, seed: UInt64) -> ConvHarness {
        let r = TestRandom(seed), layer = FlipoutConv2D(height: 5, width: 7, filters: f)
        let n = 3
        return ConvHarness(layer: layer, n: n, x: r.normals(n * 35), mu: r.normals(layer.weightCount, scale: 0.3),
                           rho: r.normals(layer.weightCount, scale: 0.5).map { $0 - 1 }, epsilon: r.normals(layer.weightCount),
                           bias: r.normals(f, scale: 0.1), factor: r.signs(n * f))
    }

    // Filters 8 and 16 run the SIMD kernels (one and two chunks), 5 their scalar twin.
    @Test("conv forward = explicit per-example weights Wₙ = μ + ΔW∘(fₙ)", arguments: [8, 16, 5])
    func convForwardMatchesPerExampleWeights(filters: Int) {
        let hs = convHarness(filters: filters, seed: 11)
        // One input channel: sₙ = 1 and rₙ = fₙ in the general definition Wₙ = μ + ΔW∘(sₙrₙᵀ).
        let ref = Reference.flipoutConv(x: hs.x, n: hs.n, h: 5, w: 7, cin: 1, cout: filters, mu: hs.mu, delta: hs.delta,
                                        bias: hs.bias, signIn: [Float](repeating: 1, count: hs.n), signOut: hs.factor)
        let y = hs.forward()
        let worst = zip(y, ref).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "max |y − y_ref| = \(worst)")   // float32 sums of ≤ 18 products
    }

    @Test("conv backward = central differences (μ, ρ, b)", arguments: [8, 16, 5])
    func convBackward(filters: Int) {
        let hs = convHarness(filters: filters, seed: 12)
        let r = TestRandom(13)
        let g = r.normals(hs.n * hs.layer.outputCount)
        let grad = hs.backward(g: g)
        expectGradient("mu", hs.mu, analytic: grad.mu, indices: sampleIndices(hs.mu.count, 25, r)) { v in
            var c = hs; c.mu = v; return dot(c.forward(), g) }
        expectGradient("rho", hs.rho, analytic: grad.rho, indices: sampleIndices(hs.rho.count, 25, r)) { v in
            var c = hs; c.rho = v; return dot(c.forward(), g) }
        expectGradient("bias", hs.bias, analytic: grad.bias, indices: Array(0 ..< filters)) { v in
            var c = hs; c.bias = v; return dot(c.forward(), g) }
    }

    func denseHarness(units: Int, seed: UInt64) -> DenseHarness {
        let r = TestRandom(seed), layer = FlipoutDense(inputs: 40, units: units), n = 5
        return DenseHarness(layer: layer, n: n, x: r.normals(n * 40), mu: r.normals(40 * units, scale: 0.3),
                            rho: r.normals(40 * units, scale: 0.5).map { $0 - 1 }, epsilon: r.normals(40 * units),
                            bias: r.normals(units, scale: 0.1), signIn: r.signs(n * 40), signOut: r.signs(n * units))
    }

    // 6 classes: one block of 5 and a partial one; 10: two full blocks (the study).
    @Test("dense forward = explicit per-example weights", arguments: [6, 10])
    func denseForwardMatchesPerExampleWeights(units: Int) {
        let hs = denseHarness(units: units, seed: 21)
        let ref = Reference.flipoutDense(x: hs.x, n: hs.n, d: 40, u: units, mu: hs.mu, delta: hs.delta, bias: hs.bias,
                                         signIn: hs.signIn, signOut: hs.signOut)
        let worst = zip(hs.forward(), ref).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "max |y − y_ref| = \(worst)")
    }

    @Test("dense backward = central differences (x, μ, ρ, b)", arguments: [6, 10])
    func denseBackward(units: Int) {
        let hs = denseHarness(units: units, seed: 22)
        let r = TestRandom(23)
        let g = r.normals(hs.n * units)
        let grad = hs.backward(g: g)
        expectGradient("x", hs.x, analytic: grad.x, indices: sampleIndices(hs.x.count, 30, r)) { v in
            var c = hs; c.x = v; return dot(c.forward(), g) }
        expectGradient("mu", hs.mu, analytic: grad.mu, indices: sampleIndices(40 * units, 30, r)) { v in
            var c = hs; c.mu = v; return dot(c.forward(), g) }
        expectGradient("rho", hs.rho, analytic: grad.rho, indices: sampleIndices(40 * units, 30, r)) { v in
            var c = hs; c.rho = v; return dot(c.forward(), g) }
        expectGradient("bias", hs.bias, analytic: grad.bias, indices: Array(0 ..< units)) { v in
            var c = hs; c.bias = v; return dot(c.forward(), g) }
        // The ReLU-masked input gradient is the plain one where x > 0 and exactly 0 elsewhere.
        let masked = hs.backward(g: g, reluMasked: true).x
        for i in 0 ..< hs.x.count { #expect(masked[i] == (hs.x[i] > 0 ? grad.x[i] : 0)) }
    }

    @Test("deterministic twins: plain conv and dense backward = central differences")
    func plainBackward() {
        let r = TestRandom(31)
        let conv = Conv2D(height: 4, width: 6, filters: 8), n = 2
        let x = r.normals(n * 24), w = r.normals(72, scale: 0.3)
        let b = r.normals(8), g = r.normals(n * conv.outputCount)
        let ws = ConvWorkspace(layer: conv, capacity: n)
        func convForward(_ w: [Float], _ b: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: n * conv.outputCount)
            y.withUnsafeMutableBufferPointer {
                conv.forward(n: n, x: x, strideX: 24, mu: w, delta: nil, factor: nil, factorStride: 0, bias: b,
                             y: $0.baseAddress!, strideY: conv.outputCount, relu: false, workspace: ws)
            }
            return y
        }
        _ = convForward(w, b)
        var gw = [Float](repeating: 0, count: 72), gb = [Float](repeating: 0, count: 8)
        gw.withUnsafeMutableBufferPointer { gwB in gb.withUnsafeMutableBufferPointer { gbB in
            conv.backward(n: n, dy: g, strideDY: conv.outputCount, factor: nil, factorStride: 0, gradMu: gwB.baseAddress!,
                          gradDelta: nil, gradBias: gbB.baseAddress!, workspace: ws)
        }}
        expectGradient("w", w, analytic: gw, indices: Array(0 ..< 72)) { dot(convForward($0, b), g) }
        expectGradient("b", b, analytic: gb, indices: Array(0 ..< 8)) { dot(convForward(w, $0), g) }

        let dense = Dense(inputs: 16, units: 4)
        let dx = r.normals(3 * 16), dw = r.normals(64), db = r.normals(4), dg = r.normals(12)
        func denseLoss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            let p = PackedDenseWeights(layer: dense, flipout: false)
            p.pack(layer: dense, mu: w, delta: nil)
            var y = [Float](repeating: 0, count: 12)
            y.withUnsafeMutableBufferPointer {
                dense.forward(n: 3, x: x, strideX: 16, weights: p, bias: b, signIn: nil, signOut: nil, y: $0.baseAddress!)
            }
            return dot(y, dg)
        }
        let p = PackedDenseWeights(layer: dense, flipout: false)
        p.pack(layer: dense, mu: dw, delta: nil)
        var gdw = [Float](repeating: 0, count: 64), gdb = [Float](repeating: 0, count: 4), gdx = [Float](repeating: 0, count: 48)
        gdw.withUnsafeMutableBufferPointer { a in gdb.withUnsafeMutableBufferPointer { bb in gdx.withUnsafeMutableBufferPointer { c in
            dense.backward(n: 3, dy: dg, x: dx, strideX: 16, weights: p, signIn: nil, signOut: nil, gradMu: a.baseAddress!,
                           gradDelta: nil, gradBias: bb.baseAddress!, dx: c.baseAddress!, workspace: DenseWorkspace(layer: dense, capacity: 3))
        }}}
        expectGradient("dense x", dx, analytic: gdx, indices: Array(0 ..< 48)) { denseLoss($0, dw, db) }
        expectGradient("dense w", dw, analytic: gdw, indices: Array(0 ..< 64)) { denseLoss(dx, $0, db) }
        expectGradient("dense b", db, analytic: gdb, indices: Array(0 ..< 4)) { denseLoss(dx, dw, $0) }
    }

    @Test("softmax cross-entropy gradient = central differences")
    func crossEntropyGradient() {
        let r = TestRandom(41)
        let z = r.normals(4 * 5, scale: 2), labels: [Int32] = [0, 3, 4, 1]
        func loss(_ z: [Float]) -> Double {
            z.withUnsafeBufferPointer { zb in labels.withUnsafeBufferPointer { lb in
                Softmax.crossEntropy(zb.baseAddress!, labels: lb.baseAddress!, n: 4, classes: 5, gradScale: 0, nil).loss
            }} / 4
        }
        var g = [Float](repeating: 0, count: 20)
        g.withUnsafeMutableBufferPointer { gb in
            _ = Softmax.crossEntropy(z, labels: labels, n: 4, classes: 5, gradScale: 0.25, gb.baseAddress!)
        }
        expectGradient("logits", z, analytic: g, indices: Array(0 ..< 20), h: 1e-2, abs: 1e-3) { loss($0) }
    }
}

/// Standard normal prior known only by its log-density: a user-written prior of the kind the
/// `Prior` protocol promises to accept with nothing else.
struct LogDensityStandardNormal: LogDensityPrior {
    var name: String { "test-normal" }
    func logDensity(_ w: Double) -> (value: Double, derivative: Double) { (-0.5 * w * w - 0.918_938_533_204_672_7, -w) }
}

@Suite("Posterior, prior and KL")
struct KLTests {
    @Test("closed-form KL(N(μ,σ²)‖N(0,σₚ²)) = Monte-Carlo KL via the log-density, value and gradients",
          arguments: [(0.3, 0.05), (-1.2, 0.8), (0.0, 2.0)])
    func closedFormMatchesMonteCarlo(mu: Double, sigma: Double) {
        let closed = GaussianPrior.standardNormal.klTerm(mu: mu, sigma: sigma, epsilon: 0)
        let mc = LogDensityStandardNormal(), rng = NetworkRandom(seed: 5, salt: "KLTest")
        let m = 200_000
        var sum = 0.0, sumSq = 0.0, dMu = 0.0, dSigma = 0.0
        for _ in 0 ..< m {
            let t = mc.klTerm(mu: mu, sigma: sigma, epsilon: rng.gaussian())
            sum += t.value; sumSq += t.value * t.value; dMu += t.dMu; dSigma += t.dSigma
        }
        let mean = sum / Double(m), se = ((sumSq / Double(m) - mean * mean) / Double(m)).squareRoot()
        // Tolerance: 5 standard errors of the MC mean (false alarm < 10⁻⁶).
        #expect(abs(mean - closed.value) < 5 * se + 1e-9, "MC \(mean) ± \(se), closed \(closed.value)")
        #expect(abs(dMu / Double(m) - closed.dMu) < 0.02 * max(1, abs(closed.dMu)))
        #expect(abs(dSigma / Double(m) - closed.dSigma) < 0.02 * max(1, abs(closed.dSigma)))
    }

    @Test("wider Gaussian prior N(0, 2²): closed form against Monte-Carlo with the scale-mixture of equal widths")
    func widerGaussian() {
        let closed = GaussianPrior(sigma: 2).klTerm(mu: 0.5, sigma: 0.3, epsilon: 0)
        // A mixture of two identical components is the Gaussian itself.
        let mix = ScaleMixturePrior(pi: 0.3, sigma1: 2, sigma2: 2), rng = NetworkRandom(seed: 6, salt: "KLTest")
        let m = 200_000
        let mean = (0 ..< m).reduce(0.0) { acc, _ in acc + mix.klTerm(mu: 0.5, sigma: 0.3, epsilon: rng.gaussian()).value } / Double(m)
        #expect(abs(mean - closed.value) < 0.01, "MC \(mean), closed \(closed.value)")
    }

    @Test("softplus and its derivative at extreme ρ = ±30, and the KL ρ-gradient there")
    func softplusExtremes() {
        #expect(Softplus.value(30) == 30)
        #expect(Softplus.derivative(30) == 1)
        let tiny = Softplus.value(-30), e30 = Float(9.357_622_968_840_175e-14)
        #expect(abs(tiny - e30) / e30 < 1e-6)
        #expect(abs(Softplus.derivative(-30) - e30) / e30 < 1e-6)
        #expect(Softplus.value(-200) >= 0 && Softplus.value(200) == 200 && Softplus.derivative(-200) >= 0)
        #expect(abs(Softplus.inverse(Softplus.value(-3)) + 3) < 1e-5)
        // ∂KL/∂ρ = (−1/σ + σ/σₚ²)·sigmoid(ρ) → −1 as ρ → −∞ (σ ≈ sigmoid ≈ e^ρ): finite, no NaN.
        for rho: Float in [-30, 30] {
            let s = Softplus.value(rho), d = Softplus.derivative(rho)
            let t = GaussianPrior.standardNormal.klTerm(mu: 0.1, sigma: Double(s), epsilon: 0)
            let dRho = t.dSigma * Double(d)
            #expect(dRho.isFinite)
            if rho < 0 { #expect(abs(dRho + 1) < 1e-5) } else { #expect(abs(dRho - (30 - 1.0 / 30)) < 1e-3) }
        }
    }

    @Test("the inlined taus2 step gives GSL's own numbers and leaves the generator where GSL would")
    func inlinedTaus2() {
        let a = NetworkRandom(seed: 77, salt: "Bits"), b = NetworkRandom(seed: 77, salt: "Bits")
        var fast = [UInt32](repeating: 0, count: 1000)
        fast.withUnsafeMutableBufferPointer { a.fillBits32($0.baseAddress!, count: 1000) }
        #expect(fast == (0 ..< 1000).map { _ in b.bits32() })
        #expect(a.bits32() == b.bits32())
    }

    @Test("sign stream: ±1 only, balanced")
    func signsBalanced() {
        let rng = NetworkRandom(seed: 3, salt: "Signs")
        var s = [Float](repeating: 0, count: 100_000)
        s.withUnsafeMutableBufferPointer { rng.fillSigns($0.baseAddress!, count: $0.count) }
        #expect(s.allSatisfy { $0 == 1 || $0 == -1 })
        let mean = s.reduce(0, +) / Float(s.count)
        #expect(abs(mean) < 0.015)   // 4.7 standard errors of 1/√10⁵
    }

    /// Sign k of a fill is bit k mod 32 of word ⌊k/32⌋ of the stream (1 ↦ −1), for whole
    /// words and a partial last word alike.
    @Test("Flipout signs are the stream's bits, in order", arguments: [4066, 96, 31, 1])
    func signsAreBits(count: Int) {
        var s = [Float](repeating: 0, count: count), words = [UInt32](repeating: 0, count: (count + 31) / 32)
        s.withUnsafeMutableBufferPointer { NetworkRandom(seed: 9, salt: "Signs").fillSigns($0.baseAddress!, count: count) }
        words.withUnsafeMutableBufferPointer { NetworkRandom(seed: 9, salt: "Signs").fillBits32($0.baseAddress!, count: $0.count) }
        let expected = (0 ..< count).map { k -> Float in (words[k / 32] >> UInt32(k % 32)) & 1 == 1 ? -1 : 1 }
        #expect(s.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// Output 16b + l of a fill is Box–Muller on block b's sixteen words, drawn one ``bits32()``
    /// at a time (u₁ from word l, u₂ from word 8 + l; cos for l < 8, sin for the second eight),
    /// also in a partial last block, across the fill's tiles of 64 blocks, and the stream goes on
    /// after the last block's sixteenth word.
    @Test("Gaussians are Box–Muller on the stream's words, block by block", arguments: [1, 15, 16, 17, 1024, 1029, 4096, 40_570])
    func gaussiansAreBoxMuller(count: Int) {
        let fill = NetworkRandom(seed: 11, salt: "Gaussians"), plain = NetworkRandom(seed: 11, salt: "Gaussians")
        var z = [Float](repeating: .nan, count: count)
        z.withUnsafeMutableBufferPointer { fill.fillGaussian($0.baseAddress!, count: count, mean: 0.25, stddev: 1.5) }
        var expected = [Float]()
        while expected.count < count {
            let words = (0 ..< 16).map { _ in plain.bits32() }
            let u1 = SIMD8<Float>((0 ..< 8).map { (Float(words[$0] >> 8) + 0.5) * 0x1p-24 })
            let u2 = SIMD8<Float>((0 ..< 8).map { Float(words[8 + $0] >> 8) * 0x1p-24 })
            let r = (-2 * PortableMath.log(u1)).squareRoot()
            let (s, c) = PortableMath.sinCosTurns(u2)
            let z0 = 0.25 + 1.5 * (r * c), z1 = 0.25 + 1.5 * (r * s)
            expected += (0 ..< 8).map { z0[$0] } + (0 ..< 8).map { z1[$0] }
        }
        #expect(z.map(\.bitPattern) == expected.prefix(count).map(\.bitPattern))
        #expect(fill.bits32() == plain.bits32())
    }
}
