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
    func convHarness(cin: Int, seed: UInt64) -> ConvHarness {
        let r = TestRandom(seed), layer = FlipoutConv2D(height: 5, width: 7, channelsIn: cin, channelsOut: 8)
        let n = 3
        return ConvHarness(layer: layer, n: n, x: r.normals(n * 35 * cin), mu: r.normals(layer.weightCount, scale: 0.3),
                           rho: r.normals(layer.weightCount, scale: 0.5).map { $0 - 1 }, epsilon: r.normals(layer.weightCount),
                           bias: r.normals(8, scale: 0.1), signIn: r.signs(n * cin), signOut: r.signs(n * 8))
    }

    @Test("conv forward = explicit per-example weights Wₙ = μ + ΔW∘(sₙrₙᵀ)", arguments: [1, 2])
    func convForwardMatchesPerExampleWeights(cin: Int) {
        let hs = convHarness(cin: cin, seed: 11)
        let ref = Reference.flipoutConv(x: hs.x, n: hs.n, h: 5, w: 7, cin: cin, cout: 8, mu: hs.mu, delta: hs.delta,
                                        bias: hs.bias, signIn: hs.signIn, signOut: hs.signOut)
        let y = hs.forward()
        let worst = zip(y, ref).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "max |y − y_ref| = \(worst)")   // float32 sums of ≤ 18 products
    }

    @Test("conv backward = central differences (x, μ, ρ, b)", arguments: [1, 2])
    func convBackward(cin: Int) {
        let hs = convHarness(cin: cin, seed: 12)
        let r = TestRandom(13)
        let g = r.normals(hs.n * hs.layer.outputCount)
        let grad = hs.backward(g: g)
        expectGradient("x", hs.x, analytic: grad.x, indices: sampleIndices(hs.x.count, 25, r)) { v in
            var c = hs; c.x = v; return dot(c.forward(), g) }
        expectGradient("mu", hs.mu, analytic: grad.mu, indices: sampleIndices(hs.mu.count, 25, r)) { v in
            var c = hs; c.mu = v; return dot(c.forward(), g) }
        expectGradient("rho", hs.rho, analytic: grad.rho, indices: sampleIndices(hs.rho.count, 25, r)) { v in
            var c = hs; c.rho = v; return dot(c.forward(), g) }
        expectGradient("bias", hs.bias, analytic: grad.bias, indices: Array(0 ..< 8)) { v in
            var c = hs; c.bias = v; return dot(c.forward(), g) }
    }

    func denseHarness(seed: UInt64) -> DenseHarness {
        let r = TestRandom(seed), layer = FlipoutDense(inputs: 40, units: 6), n = 5
        return DenseHarness(layer: layer, n: n, x: r.normals(n * 40), mu: r.normals(240, scale: 0.3),
                            rho: r.normals(240, scale: 0.5).map { $0 - 1 }, epsilon: r.normals(240), bias: r.normals(6, scale: 0.1),
                            signIn: r.signs(n * 40), signOut: r.signs(n * 6))
    }

    @Test("dense forward = explicit per-example weights")
    func denseForwardMatchesPerExampleWeights() {
        let hs = denseHarness(seed: 21)
        let ref = Reference.flipoutDense(x: hs.x, n: hs.n, d: 40, u: 6, mu: hs.mu, delta: hs.delta, bias: hs.bias,
                                         signIn: hs.signIn, signOut: hs.signOut)
        let worst = zip(hs.forward(), ref).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "max |y − y_ref| = \(worst)")
    }

    @Test("dense backward = central differences (x, μ, ρ, b)")
    func denseBackward() {
        let hs = denseHarness(seed: 22)
        let r = TestRandom(23)
        let g = r.normals(hs.n * 6)
        let grad = hs.backward(g: g)
        expectGradient("x", hs.x, analytic: grad.x, indices: sampleIndices(hs.x.count, 30, r)) { v in
            var c = hs; c.x = v; return dot(c.forward(), g) }
        expectGradient("mu", hs.mu, analytic: grad.mu, indices: sampleIndices(240, 30, r)) { v in
            var c = hs; c.mu = v; return dot(c.forward(), g) }
        expectGradient("rho", hs.rho, analytic: grad.rho, indices: sampleIndices(240, 30, r)) { v in
            var c = hs; c.rho = v; return dot(c.forward(), g) }
        expectGradient("bias", hs.bias, analytic: grad.bias, indices: Array(0 ..< 6)) { v in
            var c = hs; c.bias = v; return dot(c.forward(), g) }
    }

    @Test("deterministic twins: plain conv and dense backward = central differences")
    func plainBackward() {
        let r = TestRandom(31)
        let conv = Conv2D(height: 4, width: 6, channelsIn: 1, channelsOut: 8), n = 2
        var x = r.normals(n * 24), w = r.normals(72, scale: 0.3)
        let b = r.normals(8), g = r.normals(n * conv.outputCount)
        func convLoss(_ x: [Float], _ w: [Float]) -> Double {
            let ws = ConvWorkspace(layer: conv, capacity: n)
            var y = [Float](repeating: 0, count: n * conv.outputCount)
            y.withUnsafeMutableBufferPointer {
                conv.forwardPlain(n: n, x: x, strideX: 24, weight: w, bias: b, y: $0.baseAddress!, strideY: conv.outputCount,
                                  relu: false, workspace: ws)
            }
            return dot(y, g)
        }
        let ws = ConvWorkspace(layer: conv, capacity: n)
        var y = [Float](repeating: 0, count: n * conv.outputCount), gw = [Float](repeating: 0, count: 72)
        var gb = [Float](repeating: 0, count: 8), gx = [Float](repeating: 0, count: x.count)
        y.withUnsafeMutableBufferPointer {
            conv.forwardPlain(n: n, x: x, strideX: 24, weight: w, bias: b, y: $0.baseAddress!, strideY: conv.outputCount, relu: false, workspace: ws)
        }
        gw.withUnsafeMutableBufferPointer { gwB in gb.withUnsafeMutableBufferPointer { gbB in gx.withUnsafeMutableBufferPointer { gxB in
            conv.backwardPlain(n: n, dy: g, strideDY: conv.outputCount, weight: w, gradWeight: gwB.baseAddress!,
                               gradBias: gbB.baseAddress!, dx: gxB.baseAddress!, workspace: ws)
        }}}
        expectGradient("x", x, analytic: gx, indices: Array(0 ..< x.count)) { convLoss($0, w) }
        expectGradient("w", w, analytic: gw, indices: Array(0 ..< 72)) { convLoss(x, $0) }
        #expect(abs(Double(gb[0]) - (0 ..< n * 24).reduce(0.0) { $0 + Double(g[$1 * 8]) }) < 1e-4)
        x = []; w = []

        let dense = Dense(inputs: 12, units: 4)
        let dx = r.normals(3 * 12), dw = r.normals(48), db = r.normals(4), dg = r.normals(12)
        func denseLoss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var y = [Float](repeating: 0, count: 12)
            y.withUnsafeMutableBufferPointer { dense.forwardPlain(n: 3, x: x, weight: w, bias: b, y: $0.baseAddress!) }
            return dot(y, dg)
        }
        var gdw = [Float](repeating: 0, count: 48), gdb = [Float](repeating: 0, count: 4), gdx = [Float](repeating: 0, count: 36)
        gdw.withUnsafeMutableBufferPointer { a in gdb.withUnsafeMutableBufferPointer { bb in gdx.withUnsafeMutableBufferPointer { c in
            dense.backwardPlain(n: 3, dy: dg, x: dx, weight: dw, gradWeight: a.baseAddress!, gradBias: bb.baseAddress!, dx: c.baseAddress!)
        }}}
        expectGradient("dense x", dx, analytic: gdx, indices: Array(0 ..< 36)) { denseLoss($0, dw, db) }
        expectGradient("dense w", dw, analytic: gdw, indices: Array(0 ..< 48)) { denseLoss(dx, $0, db) }
        expectGradient("dense b", db, analytic: gdb, indices: Array(0 ..< 4)) { denseLoss(dx, dw, $0) }
    }

    @Test("softmax cross-entropy gradient = central differences")
    func crossEntropyGradient() {
        let r = TestRandom(41)
        let z = r.normals(4 * 5, scale: 2), labels: [Int32] = [0, 3, 4, 1]
        func loss(_ z: [Float]) -> Double {
            z.withUnsafeBufferPointer { zb in labels.withUnsafeBufferPointer { lb in
                Kernels.softmaxCrossEntropy(zb.baseAddress!, labels: lb.baseAddress!, n: 4, classes: 5, gradScale: 0, nil).loss
            }} / 4
        }
        var g = [Float](repeating: 0, count: 20)
        g.withUnsafeMutableBufferPointer { gb in
            _ = Kernels.softmaxCrossEntropy(z, labels: labels, n: 4, classes: 5, gradScale: 0.25, gb.baseAddress!)
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

    @Test("sign stream: ±1 only, balanced")
    func signsBalanced() {
        let rng = NetworkRandom(seed: 3, salt: "Signs")
        var s = [Float](repeating: 0, count: 100_000)
        s.withUnsafeMutableBufferPointer { rng.fillSigns($0.baseAddress!, count: $0.count) }
        #expect(s.allSatisfy { $0 == 1 || $0 == -1 })
        let mean = s.reduce(0, +) / Float(s.count)
        #expect(abs(mean) < 0.015)   // 4.7 standard errors of 1/√10⁵
    }

    @Test("BLAS is OpenBLAS, not GSL's reference CBLAS")
    func blasProvider() { #expect(BLAS.sgemmProvider.contains("openblas")) }
}
