// Slow, plain reference implementations for the tests only: Flipout as an
// explicit per-example weight draw Wₙ = μ + ΔW ∘ (sₙ rₙᵀ), in double precision, with loops that
// follow the definition rather than im2col.
import BayesianNetworks

/// A small deterministic generator for test inputs (not the network's streams).
struct TestRandom {
    let rng: NetworkRandom
    init(_ seed: UInt64) { rng = NetworkRandom(seed: seed, salt: "Tests") }
    func normals(_ n: Int, scale: Float = 1) -> [Float] { (0 ..< n).map { _ in Float(rng.gaussian()) * scale } }
    func signs(_ n: Int) -> [Float] { (0 ..< n).map { _ in rng.integer(below: 2) == 0 ? 1 : -1 } }
}

enum Reference {
    /// 'Same' 3×3 convolution of example n with its own weights Wₙ (double precision).
    /// x (N, H, W, Cin); w (N, 3, 3, Cin, Cout) per example; bias (Cout) → (N, H, W, Cout).
    static func conv(x: [Float], n: Int, h: Int, w: Int, cin: Int, cout: Int,
                     weightOf: (Int) -> [Double], bias: [Float]) -> [Double] {
        var y = [Double](repeating: 0, count: n * h * w * cout)
        for e in 0 ..< n {
            let wn = weightOf(e)
            for i in 0 ..< h { for j in 0 ..< w { for o in 0 ..< cout {
                var acc = Double(bias[o])
                for di in 0 ..< 3 { for dj in 0 ..< 3 {
                    let ii = i + di - 1, jj = j + dj - 1
                    guard ii >= 0, ii < h, jj >= 0, jj < w else { continue }
                    for c in 0 ..< cin {
                        acc += Double(x[((e * h + ii) * w + jj) * cin + c]) * wn[((di * 3 + dj) * cin + c) * cout + o]
                    }
                }}
                y[((e * h + i) * w + j) * cout + o] = acc
            }}}
        }
        return y
    }

    /// Flipout convolution by explicit per-example weights Wₙ = μ + ΔW ∘ (sₙ rₙᵀ).
    static func flipoutConv(x: [Float], n: Int, h: Int, w: Int, cin: Int, cout: Int, mu: [Float], delta: [Float],
                            bias: [Float], signIn: [Float], signOut: [Float]) -> [Double] {
        conv(x: x, n: n, h: h, w: w, cin: cin, cout: cout, weightOf: { e in
            var wn = [Double](repeating: 0, count: 9 * cin * cout)
            for k in 0 ..< 9 { for c in 0 ..< cin { for o in 0 ..< cout {
                let idx = (k * cin + c) * cout + o
                wn[idx] = Double(mu[idx]) + Double(delta[idx]) * Double(signIn[e * cin + c]) * Double(signOut[e * cout + o])
            }}}
            return wn
        }, bias: bias)
    }

    /// Flipout dense by explicit per-example weights: yₙ = xₙᵀ Wₙ + b.
    static func flipoutDense(x: [Float], n: Int, d: Int, u: Int, mu: [Float], delta: [Float], bias: [Float],
                             signIn: [Float], signOut: [Float]) -> [Double] {
        var y = [Double](repeating: 0, count: n * u)
        for e in 0 ..< n { for j in 0 ..< u {
            var acc = Double(bias[j])
            for i in 0 ..< d {
                let wn = Double(mu[i * u + j]) + Double(delta[i * u + j]) * Double(signIn[e * d + i]) * Double(signOut[e * u + j])
                acc += Double(x[e * d + i]) * wn
            }
            y[e * u + j] = acc
        }}
        return y
    }
}

/// Array-level wrappers over the layers' pointer API, as a user of the library would write them.
struct ConvHarness {
    let layer: FlipoutConv2D
    let n: Int
    var x: [Float], mu: [Float], rho: [Float], epsilon: [Float], bias: [Float], factor: [Float]

    var delta: [Float] { zip(rho, epsilon).map { Softplus.value($0) * $1 } }

    /// y (N, H, W, F), no ReLU.
    func forward() -> [Float] {
        let ws = ConvWorkspace(layer: layer, capacity: n)
        var y = [Float](repeating: 0, count: n * layer.outputCount)
        let d = delta
        y.withUnsafeMutableBufferPointer { yB in
            layer.forward(n: n, x: x, strideX: layer.height * layer.width, mu: mu, delta: d, factor: factor,
                          factorStride: layer.filters, bias: bias, y: yB.baseAddress!, strideY: layer.outputCount,
                          relu: false, workspace: ws)
        }
        return y
    }

    /// Gradients of L = Σ y ∘ g: (μ, ρ, bias).
    func backward(g: [Float]) -> (mu: [Float], rho: [Float], bias: [Float]) {
        let ws = ConvWorkspace(layer: layer, capacity: n)
        var y = [Float](repeating: 0, count: n * layer.outputCount)
        let d = delta
        var gm = [Float](repeating: 0, count: mu.count), gd = gm, gb = [Float](repeating: 0, count: bias.count)
        y.withUnsafeMutableBufferPointer { yB in
            layer.forward(n: n, x: x, strideX: layer.height * layer.width, mu: mu, delta: d, factor: factor,
                          factorStride: layer.filters, bias: bias, y: yB.baseAddress!, strideY: layer.outputCount,
                          relu: false, workspace: ws)
        }
        gm.withUnsafeMutableBufferPointer { gmB in gd.withUnsafeMutableBufferPointer { gdB in gb.withUnsafeMutableBufferPointer { gbB in
            layer.backward(n: n, dy: g, strideDY: layer.outputCount, factor: factor, factorStride: layer.filters,
                           gradMu: gmB.baseAddress!, gradDelta: gdB.baseAddress!, gradBias: gbB.baseAddress!, workspace: ws)
        }}}
        // ∂L/∂ρ = ∂L/∂ΔW ∘ ε ∘ sigmoid(ρ)
        let gr = (0 ..< rho.count).map { gd[$0] * epsilon[$0] * Softplus.derivative(rho[$0]) }
        return (gm, gr, gb)
    }
}

struct DenseHarness {
    let layer: FlipoutDense
    let n: Int
    var x: [Float], mu: [Float], rho: [Float], epsilon: [Float], bias: [Float], signIn: [Float], signOut: [Float]
    var delta: [Float] { zip(rho, epsilon).map { Softplus.value($0) * $1 } }

    func packed() -> PackedDenseWeights {
        let w = PackedDenseWeights(layer: layer, flipout: true)
        w.pack(layer: layer, mu: mu, delta: delta)
        return w
    }

    func forward() -> [Float] {
        var y = [Float](repeating: 0, count: n * layer.units)
        let w = packed()
        y.withUnsafeMutableBufferPointer { yB in
            layer.forward(n: n, x: x, strideX: layer.inputs, weights: w, bias: bias, signIn: signIn, signOut: signOut,
                          y: yB.baseAddress!)
        }
        return y
    }

    func backward(g: [Float], reluMasked: Bool = false) -> (x: [Float], mu: [Float], rho: [Float], bias: [Float]) {
        let ws = DenseWorkspace(layer: layer, capacity: n), w = packed()
        var gx = [Float](repeating: 0, count: x.count), gm = [Float](repeating: 0, count: mu.count)
        var gd = gm, gb = [Float](repeating: 0, count: bias.count)
        gx.withUnsafeMutableBufferPointer { gxB in gm.withUnsafeMutableBufferPointer { gmB in
            gd.withUnsafeMutableBufferPointer { gdB in gb.withUnsafeMutableBufferPointer { gbB in
                layer.backward(n: n, dy: g, x: x, strideX: layer.inputs, weights: w, signIn: signIn, signOut: signOut,
                               gradMu: gmB.baseAddress!, gradDelta: gdB.baseAddress!, gradBias: gbB.baseAddress!,
                               dx: gxB.baseAddress!, reluMasked: reluMasked, workspace: ws)
            }}
        }}
        let gr = (0 ..< rho.count).map { gd[$0] * epsilon[$0] * Softplus.derivative(rho[$0]) }
        return (gx, gm, gr, gb)
    }
}

/// Σ a ∘ b in double precision.
func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

/// Central difference of f at coordinate i of v with step h.
func centralDifference(_ v: [Float], _ i: Int, h: Float, _ f: ([Float]) -> Double) -> Double {
    var p = v, m = v
    p[i] += h; m[i] -= h
    return (f(p) - f(m)) / Double(p[i] - m[i])
}
