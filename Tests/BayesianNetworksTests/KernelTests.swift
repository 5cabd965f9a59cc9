// The network kernels' reproducibility contract, tested directly: each SIMD kernel equals its
// scalar twin bit for bit, and the AVX2 build equals the baseline build bit for bit (on a CPU
// that can run it). `make check-portable-all` checks the same on whole pipelines.
import CNumerics
import Foundation
import NetworkKernels
import NetworkKernelsAVX2
import PortableMath
import Testing

typealias Baseline = NetworkKernels.Kernels
typealias AVX2 = NetworkKernelsAVX2.Kernels

/// Random inputs with exact zeros (ReLU-like sparsity) so that every branch is exercised.
func sparseNormals(_ r: TestRandom, _ n: Int, zeroFraction: Int = 3) -> [Float] {
    r.normals(n).enumerated().map { $0.offset % zeroFraction == 0 ? 0 : $0.element }
}

/// One kernel build, as a set of closures over arrays, so both builds and the scalar twins run
/// the same inputs.
struct ConvCase {
    let h: Int, w: Int, f: Int, n: Int, flipout: Bool
    let tile: [Float], a: [Float], b: [Float], factor: [Float], bias: [Float], dy: [Float]
    init(h: Int, w: Int, f: Int, n: Int, flipout: Bool, seed: UInt64) {
        self.h = h; self.w = w; self.f = f; self.n = n; self.flipout = flipout
        let r = TestRandom(seed), x = sparseNormals(r, n * h * w)
        var t = [Float](repeating: 0, count: n * (h + 2) * (w + 2))
        t.withUnsafeMutableBufferPointer { Baseline.pad(x, n: n, height: h, width: w, strideX: h * w, $0.baseAddress!) }
        tile = t; a = r.normals(9 * f); b = r.normals(9 * f); factor = r.signs(n * f); bias = r.normals(f)
        dy = sparseNormals(r, n * h * w * f)
    }
    typealias Forward = (UnsafePointer<Float>, Int, Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>?,
                         UnsafePointer<Float>?, Int, UnsafePointer<Float>, Bool, UnsafeMutablePointer<Float>, Int) -> Void
    typealias Backward = (UnsafePointer<Float>, Int, Int, Int, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>?, Int,
                          UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>) -> Void
    func forward(_ k: Forward) -> [Float] {
        var y = [Float](repeating: .nan, count: n * h * w * f)
        y.withUnsafeMutableBufferPointer {
            k(tile, n, h, w, f, a, flipout ? b : nil, flipout ? factor : nil, f, bias, true, $0.baseAddress!, h * w * f)
        }
        return y
    }
    func backward(_ k: Backward) -> [Float] {
        var ga = [Float](repeating: .nan, count: 9 * f), gb = ga, gbias = [Float](repeating: .nan, count: f)
        ga.withUnsafeMutableBufferPointer { a in gb.withUnsafeMutableBufferPointer { b in gbias.withUnsafeMutableBufferPointer { c in
            k(tile, n, h, w, f, dy, h * w * f, flipout ? factor : nil, f, a.baseAddress!, flipout ? b.baseAddress! : nil, c.baseAddress!)
        }}}
        return ga + (flipout ? gb : []) + gbias
    }
}

struct DenseCase {
    let n: Int, d: Int, u: Int, flipout: Bool
    let x: [Float], aT: [Float], bT: [Float], signIn: [Float], signOut: [Float], bias: [Float], dy: [Float]
    init(n: Int, d: Int, u: Int, flipout: Bool, seed: UInt64) {
        self.n = n; self.d = d; self.u = u; self.flipout = flipout
        let r = TestRandom(seed), ub = Baseline.blockedRows(u)
        x = sparseNormals(r, n * d).map { max(0, $0) }
        let a = r.normals(d * u), b = r.normals(d * u)
        var at = [Float](repeating: 0, count: ub * d), bt = at
        at.withUnsafeMutableBufferPointer { Baseline.transposeWeights(a, inputs: d, units: u, $0.baseAddress!) }
        bt.withUnsafeMutableBufferPointer { Baseline.transposeWeights(b, inputs: d, units: u, $0.baseAddress!) }
        aT = at; bT = bt; signIn = r.signs(n * d); signOut = r.signs(n * u); bias = r.normals(u); dy = r.normals(n * u)
    }
    func forward(_ k: (Int, UnsafePointer<Float>, Int, Int, Int, UnsafePointer<Float>, UnsafePointer<Float>?,
                       UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var y = [Float](repeating: .nan, count: n * u)
        y.withUnsafeMutableBufferPointer {
            k(n, x, d, d, u, aT, flipout ? bT : nil, flipout ? signIn : nil, flipout ? signOut : nil, bias, $0.baseAddress!)
        }
        return y
    }
    /// (gradA, gradB, gradBias, dx) concatenated; `scratch` nil for the scalar twin.
    func backward(_ k: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>,
                        UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        let ub = Baseline.blockedRows(u)
        var ga = [Float](repeating: .nan, count: ub * d), gb = ga, gbias = [Float](repeating: .nan, count: u)
        var dx = [Float](repeating: .nan, count: n * d)
        ga.withUnsafeMutableBufferPointer { a in gb.withUnsafeMutableBufferPointer { b in
            gbias.withUnsafeMutableBufferPointer { c in dx.withUnsafeMutableBufferPointer { e in
                k(a.baseAddress!, flipout ? b.baseAddress! : nil, c.baseAddress!, e.baseAddress!)
            }}
        }}
        return ga + (flipout ? gb : []) + gbias + dx
    }
}

func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

let avx2Usable = calo_cpu_avx2_kernels_usable() != 0

@Suite("Network kernels: bit-identical builds and twins")
struct KernelTests {
    static let convCases: [(Int, Int, Int, Int, Bool)] = [
        (3, 96, 8, 5, true), (12, 12, 8, 3, true), (12, 6, 16, 2, true), (5, 7, 8, 3, false), (4, 13, 16, 2, false),
    ]

    @Test("conv: SIMD = scalar twin, AVX2 build = baseline build, bit for bit", arguments: convCases)
    func conv(h: Int, w: Int, f: Int, n: Int, flipout: Bool) throws {
        let c = ConvCase(h: h, w: w, f: f, n: n, flipout: flipout, seed: UInt64(h * 100 + w))
        let fwd = c.forward(Baseline.conv3x3Forward), fwdScalar = c.forward(Baseline.conv3x3ForwardScalar)
        #expect(sameBits(fwd, fwdScalar))
        let bwd = c.backward(Baseline.conv3x3Backward), bwdScalar = c.backward(Baseline.conv3x3BackwardScalar)
        #expect(sameBits(bwd, bwdScalar))
        guard avx2Usable else { return }
        #expect(sameBits(fwd, c.forward(AVX2.conv3x3Forward)))
        #expect(sameBits(bwd, c.backward(AVX2.conv3x3Backward)))
    }

    static let denseCases: [(Int, Int, Int, Bool)] = [
        (64, 4032, 10, true), (7, 4032, 9, true), (5, 40, 3, true), (64, 4032, 10, false), (3, 1032, 11, false),
    ]

    @Test("dense: SIMD = scalar twin, AVX2 build = baseline build, bit for bit", arguments: denseCases)
    func dense(n: Int, d: Int, u: Int, flipout: Bool) throws {
        let c = DenseCase(n: n, d: d, u: u, flipout: flipout, seed: UInt64(n * 7 + u))
        let fwd = c.forward(Baseline.denseForward), fwdScalar = c.forward(Baseline.denseForwardScalar)
        #expect(sameBits(fwd, fwdScalar))
        let ub = Baseline.blockedRows(u)
        var scratch = [Float](repeating: 0, count: 2 * n * ub)
        func run(_ avx: Bool) -> [Float] {
            c.backward { ga, gb, gbias, dx in
                scratch.withUnsafeMutableBufferPointer { s in
                    if avx {
                        AVX2.denseBackward(n: n, x: c.x, strideX: d, inputs: d, units: u, dy: c.dy, a: c.aT, b: c.flipout ? c.bT : nil,
                                           signIn: c.flipout ? c.signIn : nil, signOut: c.flipout ? c.signOut : nil, gradA: ga,
                                           gradB: gb, gradBias: gbias, dx: dx, reluMasked: true, scratch: s.baseAddress!)
                    } else {
                        Baseline.denseBackward(n: n, x: c.x, strideX: d, inputs: d, units: u, dy: c.dy, a: c.aT, b: c.flipout ? c.bT : nil,
                                               signIn: c.flipout ? c.signIn : nil, signOut: c.flipout ? c.signOut : nil, gradA: ga,
                                               gradB: gb, gradBias: gbias, dx: dx, reluMasked: true, scratch: s.baseAddress!)
                    }
                }
            }
        }
        let bwd = run(false)
        let bwdScalar = c.backward { ga, gb, gbias, dx in
            Baseline.denseBackwardScalar(n: n, x: c.x, strideX: d, inputs: d, units: u, dy: c.dy, a: c.aT, b: c.flipout ? c.bT : nil,
                                         signIn: c.flipout ? c.signIn : nil, signOut: c.flipout ? c.signOut : nil, gradA: ga,
                                         gradB: gb, gradBias: gbias, dx: dx, reluMasked: true)
        }
        #expect(sameBits(bwd, bwdScalar))
        guard avx2Usable else { return }
        #expect(sameBits(fwd, c.forward(AVX2.denseForward)))
        #expect(sameBits(bwd, run(true)))
    }

    /// The per-parameter kernels (σ = softplus(ρ), the Gaussian KL): the bulk
    /// calls equal the one-lane calls element by element, and the AVX2 build equals the baseline.
    @Test("per-parameter kernels: bulk = one lane, AVX2 build = baseline build, bit for bit", arguments: [4096, 37, 8, 1])
    func perParameter(count: Int) throws {
        let r = TestRandom(UInt64(count))
        let rho = r.normals(count, scale: 4) + [-100, 90, 0, -0.0].prefix(max(0, min(4, count - 1)))
        let n = rho.count
        func softplus(_ avx: Bool) -> [Float] {
            var s = [Float](repeating: 0, count: n), d = s
            if avx { AVX2.softplus(rho, count: n, &s, &d) } else { Baseline.softplus(rho, count: n, &s, &d) }
            return s + d
        }
        let sp = softplus(false)
        let oneLane = rho.map { Baseline.softplus(SIMD8(repeating: $0)).sigma[0] } + rho.map { Baseline.softplus(SIMD8(repeating: $0)).dSigma[0] }
        #expect(sameBits(sp, oneLane))
        let mu = r.normals(n, scale: 0.1), sigma = sp.prefix(n).map { $0 }
        func kl(_ avx: Bool) -> [Double] {
            var dm = [Double](repeating: 0, count: n), ds = dm
            let sum = avx ? AVX2.gaussianKL(mu: mu, sigma: sigma, count: n, sigmaPrior: 1.5, dMu: &dm, dSigma: &ds)
                          : Baseline.gaussianKL(mu: mu, sigma: sigma, count: n, sigmaPrior: 1.5, dMu: &dm, dSigma: &ds)
            return [sum] + dm + ds
        }
        let k = kl(false)
        // Every weight alone (lane 0 of the four-lane code): the gradients bit for bit, and the
        // values summed in the stated order — four running sums over i ≡ l (mod 4), then
        // (s₀ + s₁) + (s₂ + s₃) — give the sum bit for bit.
        let klOneLane = (0 ..< n).map { i in
            Baseline.gaussianKL(mu: SIMD4(repeating: Double(mu[i])), sigma: SIMD4(repeating: Double(sigma[i])),
                                logSigma: Baseline.logSigma(SIMD8(repeating: sigma[i])).0,
                                logSigmaPrior: PortableMath.log(1.5), sigmaPrior: 1.5)
        }
        var lanes = [Double](repeating: 0, count: 4)
        for i in 0 ..< n { lanes[i % 4] += klOneLane[i].value[0] }
        let ordered = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        let dMuOneLane: [Double] = klOneLane.map { $0.dMu[0] }
        let dSigmaOneLane: [Double] = klOneLane.map { $0.dSigma[0] }
        let expected: [Double] = [ordered] + dMuOneLane + dSigmaOneLane
        #expect(k.map(\.bitPattern) == expected.map(\.bitPattern))
        // σₚ² a power of two takes the reciprocal path: the same bits as the divisions.
        for sp in [1.0, 0.5, 2.0, 1.5] {
            let s2 = sp * sp
            let mismatches = (0 ..< n).filter { i in
                let m = SIMD4<Double>(repeating: Double(mu[i])), sg = SIMD4<Double>(repeating: Double(sigma[i]))
                let ls = Baseline.logSigma(SIMD8(repeating: sigma[i])).0
                let t = Baseline.gaussianKL(mu: m, sigma: sg, logSigma: ls, logSigmaPrior: PortableMath.log(sp), sigmaPrior: sp)
                let quadratic: SIMD4<Double> = (sg * sg + m * m) / (2 * s2)
                let value: SIMD4<Double> = (PortableMath.log(sp) - ls) + quadratic - 0.5
                let dSigma: SIMD4<Double> = -1 / sg + sg / s2
                return t.value[0].bitPattern != value[0].bitPattern || t.dMu[0].bitPattern != (m / s2)[0].bitPattern
                    || t.dSigma[0].bitPattern != dSigma[0].bitPattern
            }.count
            #expect(mismatches == 0, "σₚ = \(sp): \(mismatches) weights differ from the divisions")
        }
        // The float log σ costs the value nothing that matters: within 1e-6 of double precision per weight.
        for i in 0 ..< n {
            let s = Double(sigma[i]), m = Double(mu[i])
            let quadratic: Double = (s * s + m * m) / 4.5
            let exact: Double = Foundation.log(1.5 / s) + quadratic - 0.5
            #expect(abs(klOneLane[i].value[0] - exact) <= 1e-6 * max(1, abs(exact)))
        }
        guard avx2Usable else { return }
        #expect(sameBits(sp, softplus(true)))
        #expect(k.map(\.bitPattern) == kl(true).map(\.bitPattern))
    }
}
