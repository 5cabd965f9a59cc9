// The hot float32 kernels of the study's network (study §2, §4), written for its shapes: 3×3
// 'same' convolutions of one input channel into F filters, and a dense layer D → U.
//
// The same bits on every CPU. No BLAS, and every sum runs in the order its comment states, with
// IEEE-754 additions and multiplications only: Swift does not fuse a·b + c into one rounding
// (checked in the generated code of both builds below), so each operation is correctly rounded
// and its result is the same on any CPU. This file is compiled twice: as `NetworkKernels` for the
// baseline x86-64 instruction set (SSE2: one SIMD8 = two 4-lane registers) and as
// `NetworkKernelsAVX2` with AVX2 enabled (one SIMD8 = one 8-lane register, no FMA). The two
// builds perform the same operations in the same order and give the same bits; BayesianNetworks
// picks one per process (see its `KernelSet`) and `make check-portable-all` compares whole pipelines
// run with each. Each SIMD kernel has a plain scalar twin, one lane at a time in the same order,
// which the tests compare bit for bit.
//
// Shape legend: N = examples, H×W = cells of a layer, F = filters, T9 = the 9 taps of a 3×3
// kernel in row-major order (di, dj), D = dense inputs (a multiple of 8), U = classes,
// Ub = U rounded up to a multiple of 5 (the dense kernels work on blocks of 5 classes).
//   image x      (N, H, W), example n at x + n·strideX
//   tile         (N, H+2, W+2): x with a zero border ('same' padding)
//   conv weight  (T9, F) (Keras' HWIO with one input channel)
//   conv output  (N, H, W, F), example n at y + n·strideY
//   dense x (N, D) with row stride strideX; weight (D, U); transposed weight (Ub, D); y (N, U)

import PortableMath

/// The network's hot kernels (see the file header for the layouts, the order of every sum and
/// the reproducibility contract).
public enum Kernels {
    // MARK: 3×3 convolution, one input channel

    /// Zero-bordered copies of N single-channel H×W images: tile (N, H+2, W+2).
    public static func pad(_ x: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, strideX: Int,
                           _ tile: UnsafeMutablePointer<Float>) {
        let pw = w &+ 2, size = (h &+ 2) &* pw
        for e in 0 ..< n {
            let t = tile + e &* size, img = x + e &* strideX
            t.update(repeating: 0, count: pw)
            for i in 0 ..< h {
                let row = t + (i &+ 1) &* pw
                row[0] = 0
                (row + 1).update(from: img + i &* w, count: w)
                row[w &+ 1] = 0
            }
            (t + (h &+ 1) &* pw).update(repeating: 0, count: pw)
        }
    }

    /// Forward of a 3×3 'same' convolution with one input channel, Flipout or plain:
    /// ```
    /// Aₙq = Σ_τ xₙ(q + τ) · a(τ)          τ over the 9 taps in row-major order, from 0
    /// Bₙq = Σ_τ xₙ(q + τ) · b(τ)          (Flipout only)
    /// yₙq = (Aₙq + fₙ ∘ Bₙq) + bias        (plain: Aₙq + bias), then ReLU if `relu`
    /// ```
    /// One SIMD8 lane per filter; a filter count that is not a multiple of 8 runs
    /// ``conv3x3ForwardScalar(tile:n:height:width:filters:a:b:factor:factorStride:bias:relu:y:strideY:)``.
    ///
    /// - Parameters:
    ///   - tile: (N, H+2, W+2), from ``pad(_:n:height:width:strideX:_:)``.
    ///   - n: N, the number of examples.
    ///   - h: H, rows of the cell grid.
    ///   - w: W, columns of the cell grid.
    ///   - f: F, the number of filters.
    ///   - a: the kernel μ (Flipout) or W (plain), (T9, F).
    ///   - b: the perturbation ΔW = σ ∘ ε, (T9, F); nil for a plain convolution.
    ///   - factor: fₙ ∈ {±1}^F, example n at `factor + n·factorStride` (Flipout only).
    ///   - factorStride: floats between consecutive examples' factors.
    ///   - bias: (F), already sampled if Bayesian.
    ///   - relu: apply ReLU to the output.
    ///   - y: out, (N, H, W, F) with example stride `strideY`.
    ///   - strideY: floats between consecutive examples of `y`, ≥ H·W·F.
    public static func conv3x3Forward(tile: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, filters f: Int,
                                      a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                                      factor: UnsafePointer<Float>?, factorStride: Int,
                                      bias: UnsafePointer<Float>, relu: Bool,
                                      y: UnsafeMutablePointer<Float>, strideY: Int) {
        guard f % 8 == 0 else {
            conv3x3ForwardScalar(tile: tile, n: n, height: h, width: w, filters: f, a: a, b: b, factor: factor,
                                 factorStride: factorStride, bias: bias, relu: relu, y: y, strideY: strideY)
            return
        }
        let pw = w &+ 2, size = (h &+ 2) &* pw
        for c0 in stride(from: 0, to: f, by: 8) {
            @inline(__always) func load(_ p: UnsafePointer<Float>, _ t: Int) -> SIMD8<Float> {
                UnsafeRawPointer(p + (t &* f &+ c0)).loadUnaligned(as: SIMD8<Float>.self)
            }
            let a0 = load(a, 0), a1 = load(a, 1), a2 = load(a, 2), a3 = load(a, 3), a4 = load(a, 4)
            let a5 = load(a, 5), a6 = load(a, 6), a7 = load(a, 7), a8 = load(a, 8)
            let bias8 = UnsafeRawPointer(bias + c0).loadUnaligned(as: SIMD8<Float>.self)
            // Six positions at a time (every layer's width is a multiple of 6): six independent chains of additions (each position's
            // taps are still added in order), so the adder's latency overlaps.
            @inline(__always) func taps(_ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ r2: UnsafePointer<Float>,
                                        _ j: Int, _ w0: SIMD8<Float>, _ w1: SIMD8<Float>, _ w2: SIMD8<Float>,
                                        _ w3: SIMD8<Float>, _ w4: SIMD8<Float>, _ w5: SIMD8<Float>, _ w6: SIMD8<Float>,
                                        _ w7: SIMD8<Float>, _ w8: SIMD8<Float>) -> SIMD8<Float> {
                var acc = SIMD8<Float>.zero
                acc += r0[j] * w0; acc += r0[j &+ 1] * w1; acc += r0[j &+ 2] * w2
                acc += r1[j] * w3; acc += r1[j &+ 1] * w4; acc += r1[j &+ 2] * w5
                acc += r2[j] * w6; acc += r2[j &+ 1] * w7; acc += r2[j &+ 2] * w8
                return acc
            }
            typealias Taps = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
                              SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
            /// Every position of example e in row-major order: `body(Σ_τ x(q+τ)·w(τ), byte offset of q)`.
            @inline(__always) func sweep(_ e: Int, _ wt: Taps, _ body: (SIMD8<Float>, Int) -> Void) {
                let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = wt
                let t0 = tile + e &* size, step = f &* 4
                for i in 0 ..< h {
                    let r0 = t0 + i &* pw, r1 = r0 + pw, r2 = r1 + pw
                    let rowOff = i &* w &* step
                    var j = 0
                    while j &+ 6 <= w {
                        let p0 = taps(r0, r1, r2, j, w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        let p1 = taps(r0, r1, r2, j &+ 1, w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        let p2 = taps(r0, r1, r2, j &+ 2, w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        let p3 = taps(r0, r1, r2, j &+ 3, w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        let p4 = taps(r0, r1, r2, j &+ 4, w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        let p5 = taps(r0, r1, r2, j &+ 5, w0, w1, w2, w3, w4, w5, w6, w7, w8)
                        let o = rowOff &+ j &* step
                        body(p0, o); body(p1, o &+ step); body(p2, o &+ 2 &* step)
                        body(p3, o &+ 3 &* step); body(p4, o &+ 4 &* step); body(p5, o &+ 5 &* step)
                        j &+= 6
                    }
                    while j < w {
                        body(taps(r0, r1, r2, j, w0, w1, w2, w3, w4, w5, w6, w7, w8), rowOff &+ j &* step)
                        j &+= 1
                    }
                }
            }
            for e in 0 ..< n {
                let yE = UnsafeMutableRawPointer(y + (e &* strideY &+ c0))
                sweep(e, (a0, a1, a2, a3, a4, a5, a6, a7, a8)) { p, o in yE.storeBytes(of: p, toByteOffset: o, as: SIMD8<Float>.self) }
            }
            if let b, let factor {
                // Second sweep for B (nine more weights would not fit the registers with the first).
                let bt = (load(b, 0), load(b, 1), load(b, 2), load(b, 3), load(b, 4), load(b, 5), load(b, 6), load(b, 7), load(b, 8))
                for e in 0 ..< n {
                    let yE = UnsafeMutableRawPointer(y + (e &* strideY &+ c0))
                    let fE = UnsafeRawPointer(factor + (e &* factorStride &+ c0)).loadUnaligned(as: SIMD8<Float>.self)
                    sweep(e, bt) { accB, off in
                        let aq = yE.load(fromByteOffset: off, as: SIMD8<Float>.self)
                        var v = (aq + fE * accB) + bias8
                        if relu { v.replace(with: 0, where: v .< 0) }
                        yE.storeBytes(of: v, toByteOffset: off, as: SIMD8<Float>.self)
                    }
                }
            } else {
                for e in 0 ..< n {
                    let yE = UnsafeMutableRawPointer(y + (e &* strideY &+ c0))
                    for q in 0 ..< h &* w {
                        let off = q &* f &* 4
                        var v = yE.load(fromByteOffset: off, as: SIMD8<Float>.self) + bias8
                        if relu { v.replace(with: 0, where: v .< 0) }
                        yE.storeBytes(of: v, toByteOffset: off, as: SIMD8<Float>.self)
                    }
                }
            }
        }
    }

    /// The plain twin of ``conv3x3Forward(tile:n:height:width:filters:a:b:factor:factorStride:bias:relu:y:strideY:)``:
    /// one filter at a time, the same operations in the same order (any filter count).
    public static func conv3x3ForwardScalar(tile: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, filters f: Int,
                                            a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                                            factor: UnsafePointer<Float>?, factorStride: Int,
                                            bias: UnsafePointer<Float>, relu: Bool,
                                            y: UnsafeMutablePointer<Float>, strideY: Int) {
        let pw = w + 2, size = (h + 2) * pw
        for e in 0 ..< n {
            let t0 = tile + e * size
            for i in 0 ..< h {
                for j in 0 ..< w {
                    for c in 0 ..< f {
                        var acc: Float = 0, accB: Float = 0
                        for t in 0 ..< 9 {
                            let xv = t0[(i + t / 3) * pw + j + t % 3]
                            acc += xv * a[t * f + c]
                            if let b { accB += xv * b[t * f + c] }
                        }
                        if b != nil { acc = acc + factor![e * factorStride + c] * accB }
                        var v = acc + bias[c]
                        if relu && v < 0 { v = 0 }
                        y[e * strideY + (i * w + j) * f + c] = v
                    }
                }
            }
        }
    }

    /// Backward of the convolution (no input gradient: the convolutions read the calorimeter
    /// cells). With g = ∂L/∂y, already through the ReLU:
    /// ```
    /// Tₙ(τ) = Σ_q xₙ(q + τ) · gₙq           per example, positions q in row-major order, from 0
    /// ∂L/∂a(τ) = Σₙ Tₙ(τ),   ∂L/∂b(τ) = Σₙ fₙ ∘ Tₙ(τ)   (fₙ factors out of the sum over q)
    /// ∂L/∂bias = Σₙ (Σ_q gₙq)
    /// ```
    /// Sums over n run in example order from 0.
    ///
    /// - Parameters:
    ///   - tile: (N, H+2, W+2), the forward pass's padded input.
    ///   - n: N, the number of examples.
    ///   - h: H, rows of the cell grid.
    ///   - w: W, columns of the cell grid.
    ///   - f: F, the number of filters.
    ///   - dy: g, (N, H, W, F) with example stride `strideDY`; read only.
    ///   - strideDY: floats between consecutive examples of `dy`.
    ///   - factor: fₙ as in the forward pass, or nil (plain convolution).
    ///   - factorStride: floats between consecutive examples' factors.
    ///   - gradA: out, ∂L/∂a (T9, F), overwritten.
    ///   - gradB: out, ∂L/∂b (T9, F), overwritten (Flipout only).
    ///   - gradBias: out, (F), overwritten.
    public static func conv3x3Backward(tile: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, filters f: Int,
                                       dy: UnsafePointer<Float>, strideDY: Int,
                                       factor: UnsafePointer<Float>?, factorStride: Int,
                                       gradA: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?,
                                       gradBias: UnsafeMutablePointer<Float>) {
        guard f % 8 == 0 else {
            conv3x3BackwardScalar(tile: tile, n: n, height: h, width: w, filters: f, dy: dy, strideDY: strideDY,
                                  factor: factor, factorStride: factorStride, gradA: gradA, gradB: gradB, gradBias: gradBias)
            return
        }
        let pw = w &+ 2, size = (h &+ 2) &* pw
        for c0 in stride(from: 0, to: f, by: 8) {
            var sA0 = SIMD8<Float>.zero, sA1 = sA0, sA2 = sA0, sA3 = sA0, sA4 = sA0, sA5 = sA0, sA6 = sA0, sA7 = sA0, sA8 = sA0
            var sB0 = SIMD8<Float>.zero, sB1 = sB0, sB2 = sB0, sB3 = sB0, sB4 = sB0, sB5 = sB0, sB6 = sB0, sB7 = sB0, sB8 = sB0
            var sBias = SIMD8<Float>.zero
            for e in 0 ..< n {
                let t0 = tile + e &* size
                let gE = UnsafeRawPointer(dy + (e &* strideDY &+ c0))
                var t0v = SIMD8<Float>.zero, t1 = t0v, t2 = t0v, t3 = t0v, t4 = t0v, t5 = t0v, t6 = t0v, t7 = t0v, t8 = t0v
                var tb = SIMD8<Float>.zero
                for i in 0 ..< h {
                    let r0 = t0 + i &* pw, r1 = r0 + pw, r2 = r1 + pw
                    for j in 0 ..< w {
                        let g = gE.loadUnaligned(fromByteOffset: (i &* w &+ j) &* f &* 4, as: SIMD8<Float>.self)
                        t0v += r0[j] * g; t1 += r0[j &+ 1] * g; t2 += r0[j &+ 2] * g
                        t3 += r1[j] * g; t4 += r1[j &+ 1] * g; t5 += r1[j &+ 2] * g
                        t6 += r2[j] * g; t7 += r2[j &+ 1] * g; t8 += r2[j &+ 2] * g
                        tb += g
                    }
                }
                sA0 += t0v; sA1 += t1; sA2 += t2; sA3 += t3; sA4 += t4; sA5 += t5; sA6 += t6; sA7 += t7; sA8 += t8
                if gradB != nil, let factor {
                    let fE = UnsafeRawPointer(factor + (e &* factorStride &+ c0)).loadUnaligned(as: SIMD8<Float>.self)
                    sB0 += fE * t0v; sB1 += fE * t1; sB2 += fE * t2; sB3 += fE * t3; sB4 += fE * t4
                    sB5 += fE * t5; sB6 += fE * t6; sB7 += fE * t7; sB8 += fE * t8
                }
                sBias += tb
            }
            let sA = [sA0, sA1, sA2, sA3, sA4, sA5, sA6, sA7, sA8], sB = [sB0, sB1, sB2, sB3, sB4, sB5, sB6, sB7, sB8]
            for k in 0 ..< 9 {
                UnsafeMutableRawPointer(gradA + (k &* f &+ c0)).storeBytes(of: sA[k], as: SIMD8<Float>.self)
                if let gradB { UnsafeMutableRawPointer(gradB + (k &* f &+ c0)).storeBytes(of: sB[k], as: SIMD8<Float>.self) }
            }
            UnsafeMutableRawPointer(gradBias + c0).storeBytes(of: sBias, as: SIMD8<Float>.self)
        }
    }

    /// The plain twin of ``conv3x3Backward(tile:n:height:width:filters:dy:strideDY:factor:factorStride:gradA:gradB:gradBias:)``
    /// (any filter count, the same bits).
    public static func conv3x3BackwardScalar(tile: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, filters f: Int,
                                             dy: UnsafePointer<Float>, strideDY: Int,
                                             factor: UnsafePointer<Float>?, factorStride: Int,
                                             gradA: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?,
                                             gradBias: UnsafeMutablePointer<Float>) {
        let pw = w + 2, size = (h + 2) * pw
        for c in 0 ..< f {
            var sumA = [Float](repeating: 0, count: 9), sumB = sumA, sumBias: Float = 0
            for e in 0 ..< n {
                let t0 = tile + e * size
                var t = [Float](repeating: 0, count: 9), tb: Float = 0
                for i in 0 ..< h {
                    for j in 0 ..< w {
                        let g = dy[e * strideDY + (i * w + j) * f + c]
                        for k in 0 ..< 9 { t[k] += t0[(i + k / 3) * pw + j + k % 3] * g }
                        tb += g
                    }
                }
                for k in 0 ..< 9 {
                    sumA[k] += t[k]
                    if gradB != nil { sumB[k] += factor![e * factorStride + c] * t[k] }
                }
                sumBias += tb
            }
            for k in 0 ..< 9 { gradA[k * f + c] = sumA[k]; gradB?[k * f + c] = sumB[k] }
            gradBias[c] = sumBias
        }
    }

    // MARK: Dense layer (lanes over the inputs d)

    /// Ub: the number of classes U rounded up to a whole number of 5-class blocks.
    @inline(__always) public static func blockedRows(_ u: Int) -> Int { (u + 4) / 5 * 5 }

    /// Transpose a (D, U) weight matrix into (Ub, D), rows U..<Ub zero.
    public static func transposeWeights(_ w: UnsafePointer<Float>, inputs d: Int, units u: Int,
                                        _ out: UnsafeMutablePointer<Float>) {
        let ub = blockedRows(u)
        for j in 0 ..< u { for k in 0 ..< d { out[j * d + k] = w[k * u + j] } }
        (out + u * d).update(repeating: 0, count: (ub - u) * d)
    }

    /// The first U rows of a transposed (Ub, D) matrix back into (D, U) order (the weight
    /// gradients' way back into the parameter vector): eight inputs at a time, each of the U rows
    /// read as one SIMD8 and its lanes written to their places (copies only, so the same bits).
    public static func untransposeWeights(_ t: UnsafePointer<Float>, inputs d: Int, units u: Int,
                                          _ out: UnsafeMutablePointer<Float>) {
        var k = 0
        while k &+ 8 <= d {
            for j in 0 ..< u {
                let v = UnsafeRawPointer(t + (j &* d &+ k)).loadUnaligned(as: SIMD8<Float>.self)
                let o = out + (k &* u &+ j)
                o[0] = v[0]; o[u] = v[1]; o[2 &* u] = v[2]; o[3 &* u] = v[3]
                o[4 &* u] = v[4]; o[5 &* u] = v[5]; o[6 &* u] = v[6]; o[7 &* u] = v[7]
            }
            k &+= 8
        }
        while k < d {
            for j in 0 ..< u { out[k &* u &+ j] = t[j &* d &+ k] }
            k &+= 1
        }
    }

    /// The fixed reduction tree of eight lanes: (i, i+4), then (i, i+2), then (0, 1).
    @inline(__always) public static func treeSum(_ v: SIMD8<Float>) -> Float {
        let v4 = v.lowHalf + v.highHalf
        let v2 = v4.lowHalf + v4.highHalf
        return v2[0] + v2[1]
    }

    /// Inputs per cache block of the dense kernels: 5 classes × 512 inputs × 4 bytes = 10 KiB of
    /// transposed weights, which stay in the L1 cache while every example of a shard passes.
    /// Blocking changes where sums pause, not their order.
    public static let denseBlock = 512

    /// Continue five dot products ⟨x, w_u⟩ and five ⟨y, w_u⟩ over inputs [k0, k1), two examples
    /// x and y at once: lane ℓ of sᵤ (of tᵤ) adds the terms d ≡ ℓ (mod 8) in index order (each
    /// input optionally multiplied by its sign first).
    @inline(__always)
    static func dot5x2(_ s: inout (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
                       _ t: inout (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
                       _ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ signX: UnsafeRawPointer?, _ signY: UnsafeRawPointer?,
                       _ w: UnsafePointer<Float>, d: Int, k0: Int, k1: Int) {
        var (s0, s1, s2, s3, s4) = s, (t0, t1, t2, t3, t4) = t
        let w0 = UnsafeRawPointer(w), rowBytes = d &* 4
        var off = k0 &* 4
        let end = k1 &* 4
        while off < end {
            var xv = x.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
            var yv = y.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
            if let signX, let signY {
                xv = xv * signX.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                yv = yv * signY.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
            }
            var wv = w0.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
            s0 += xv * wv; t0 += yv * wv
            wv = w0.loadUnaligned(fromByteOffset: off &+ rowBytes, as: SIMD8<Float>.self)
            s1 += xv * wv; t1 += yv * wv
            wv = w0.loadUnaligned(fromByteOffset: off &+ 2 &* rowBytes, as: SIMD8<Float>.self)
            s2 += xv * wv; t2 += yv * wv
            wv = w0.loadUnaligned(fromByteOffset: off &+ 3 &* rowBytes, as: SIMD8<Float>.self)
            s3 += xv * wv; t3 += yv * wv
            wv = w0.loadUnaligned(fromByteOffset: off &+ 4 &* rowBytes, as: SIMD8<Float>.self)
            s4 += xv * wv; t4 += yv * wv
            off &+= 32
        }
        s = (s0, s1, s2, s3, s4); t = (t0, t1, t2, t3, t4)
    }

    /// Dense forward, Flipout or plain, on transposed weights:
    /// ```
    /// Aₙu = Σ_d xₙd · aᵀ[u, d],   Bₙu = Σ_d (xₙd sₙd) · bᵀ[u, d]
    /// yₙu = (Aₙu + rₙu · Bₙu) + bias_u          (plain: Aₙu + bias_u)
    /// ```
    /// Each Σ_d: lane ℓ of a SIMD8 sums d ≡ ℓ (mod 8) in index order from 0, then ``treeSum(_:)``.
    /// The inputs are visited in blocks of ``denseBlock`` for all examples before the next block
    /// (the weights stay in cache); each lane's sum still runs in index order.
    ///
    /// - Parameters:
    ///   - n: N, the number of examples.
    ///   - x: (N, D) with row stride `strideX`.
    ///   - strideX: floats between consecutive rows of `x`.
    ///   - d: D, the number of inputs, a multiple of 8.
    ///   - u: U, the number of classes.
    ///   - a: μ or W transposed, (Ub, D).
    ///   - b: ΔW transposed, (Ub, D), or nil for a plain pass.
    ///   - signIn: sₙ, (N, D) — Flipout only.
    ///   - signOut: rₙ, (N, U) — Flipout only.
    ///   - bias: (U).
    ///   - y: out, (N, U).
    public static func denseForward(n: Int, x: UnsafePointer<Float>, strideX: Int, inputs d: Int, units u: Int,
                                    a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                                    signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                                    bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        precondition(d % 8 == 0, "dense inputs must be a multiple of 8")
        typealias Acc = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
        let ub = blockedRows(u), blocks = ub / 5, zero: Acc = (.zero, .zero, .zero, .zero, .zero)
        // Running lane sums per (example, class block): A, then B.
        var accA = [Acc](repeating: zero, count: n &* blocks), accB = accA
        accA.withUnsafeMutableBufferPointer { accAB in
            accB.withUnsafeMutableBufferPointer { accBB in
                let pa = accAB.baseAddress!, pb = accBB.baseAddress!
                var k0 = 0
                while k0 < d {
                    let k1 = min(d, k0 &+ denseBlock)
                    // Two examples at a time: ten independent chains of additions.
                    var e = 0
                    while e < n {
                        let e2 = min(e &+ 1, n &- 1)  // an odd last example pairs with itself
                        let xE = UnsafeRawPointer(x + e &* strideX), xF = UnsafeRawPointer(x + e2 &* strideX)
                        /// The running sums `acc` of examples e and e2 over this block, weights `wt`.
                        @inline(__always) func pass(_ acc: UnsafeMutablePointer<Acc>, _ wt: UnsafePointer<Float>,
                                                    _ sE: UnsafeRawPointer?, _ sF: UnsafeRawPointer?) {
                            for c in 0 ..< blocks {
                                var p = acc[e &* blocks &+ c], q = acc[e2 &* blocks &+ c]
                                dot5x2(&p, &q, xE, xF, sE, sF, wt + c &* 5 &* d, d: d, k0: k0, k1: k1)
                                acc[e &* blocks &+ c] = p
                                if e2 != e { acc[e2 &* blocks &+ c] = q }
                            }
                        }
                        pass(pa, a, nil, nil)
                        if let b, let signIn {
                            pass(pb, b, UnsafeRawPointer(signIn + e &* d), UnsafeRawPointer(signIn + e2 &* d))
                        }
                        e &+= 2
                    }
                    k0 = k1
                }
                for e in 0 ..< n {
                    for c in 0 ..< blocks {
                        let sa = pa[e &* blocks &+ c], sb = pb[e &* blocks &+ c]
                        let ta = [treeSum(sa.0), treeSum(sa.1), treeSum(sa.2), treeSum(sa.3), treeSum(sa.4)]
                        let tb = [treeSum(sb.0), treeSum(sb.1), treeSum(sb.2), treeSum(sb.3), treeSum(sb.4)]
                        for l in 0 ..< 5 where c &* 5 &+ l < u {
                            let j = c &* 5 &+ l
                            var v = ta[l]
                            if b != nil { v = v + signOut![e &* u &+ j] * tb[l] }
                            y[e &* u &+ j] = v + bias[j]
                        }
                    }
                }
            }
        }
    }

    /// The plain twin of ``denseForward(n:x:strideX:inputs:units:a:b:signIn:signOut:bias:y:)`` (same bits).
    public static func denseForwardScalar(n: Int, x: UnsafePointer<Float>, strideX: Int, inputs d: Int, units u: Int,
                                          a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                                          signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                                          bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        func dot(_ e: Int, _ w: UnsafePointer<Float>, signed: Bool) -> Float {
            var lanes = [Float](repeating: 0, count: 8)
            for k in 0 ..< d {
                var xv = x[e * strideX + k]
                if signed { xv = xv * signIn![e * d + k] }
                lanes[k % 8] += xv * w[k]
            }
            return scalarTree(lanes)
        }
        for e in 0 ..< n {
            for j in 0 ..< u {
                var v = dot(e, a + j * d, signed: false)
                if let b { v = v + signOut![e * u + j] * dot(e, b + j * d, signed: true) }
                y[e * u + j] = v + bias[j]
            }
        }
    }

    /// ``treeSum(_:)`` on eight scalars.
    static func scalarTree(_ l: [Float]) -> Float {
        let l4 = (0 ..< 4).map { l[$0] + l[$0 + 4] }
        let l2 = (0 ..< 2).map { l4[$0] + l4[$0 + 2] }
        return l2[0] + l2[1]
    }

    /// Dense backward on transposed weights. With g = ∂L/∂y (N, U) and gʳ = g ∘ rₙ:
    /// ```
    /// ∂L/∂aᵀ[u, d] = Σₙ xₙd gₙu,   ∂L/∂bᵀ[u, d] = Σₙ (xₙd sₙd) gʳₙu,   ∂L/∂bias_u = Σₙ gₙu
    /// ∂L/∂xₙd = Σ_u gₙu aᵀ[u, d]  +  sₙd · Σ_u gʳₙu bᵀ[u, d]
    /// ```
    /// Sums over n in example order from 0; sums over u in class order from 0 (lanes over d).
    ///
    /// - Parameters:
    ///   - n: N, the number of examples.
    ///   - x: the forward pass's input, (N, D) with row stride `strideX`.
    ///   - strideX: floats between consecutive rows of `x` and of `dx`.
    ///   - d: D, the number of inputs, a multiple of 8.
    ///   - u: U, the number of classes.
    ///   - dy: g = ∂L/∂y, (N, U).
    ///   - a: μ or W transposed, (Ub, D).
    ///   - b: ΔW transposed, (Ub, D), or nil for a plain pass.
    ///   - signIn: sₙ, (N, D) — Flipout only.
    ///   - signOut: rₙ, (N, U) — Flipout only.
    ///   - gradA: out, ∂L/∂aᵀ (Ub, D), overwritten (rows ≥ U are zero).
    ///   - gradB: out, ∂L/∂bᵀ (Ub, D), overwritten; nil for a plain pass.
    ///   - gradBias: out, (U), overwritten.
    ///   - dx: out, (N, D) with row stride `strideX`, or nil.
    ///   - reluMasked: x is a ReLU output and dx is ∂L/∂x ∘ 1[x > 0], the gradient before the ReLU.
    ///   - scratch: at least 2·N·Ub floats.
    public static func denseBackward(n: Int, x: UnsafePointer<Float>, strideX: Int, inputs d: Int, units u: Int,
                                     dy: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                                     signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                                     gradA: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?,
                                     gradBias: UnsafeMutablePointer<Float>,
                                     dx: UnsafeMutablePointer<Float>?, reluMasked: Bool,
                                     scratch: UnsafeMutablePointer<Float>) {
        precondition(d % 8 == 0, "dense inputs must be a multiple of 8")
        let ub = blockedRows(u), flipout = b != nil
        // gₙ and gʳₙ with Ub entries per example (zero beyond U).
        let g = scratch, gr = scratch + n * ub
        for e in 0 ..< n {
            for j in 0 ..< ub {
                let v: Float = j < u ? dy[e * u + j] : 0
                g[e * ub + j] = v
                gr[e * ub + j] = (flipout && j < u) ? v * signOut![e * u + j] : 0
            }
        }
        for j in 0 ..< u {
            var s: Float = 0
            for e in 0 ..< n { s += dy[e * u + j] }
            gradBias[j] = s
        }
        // Weight gradients: 2 × 8 inputs × 5 classes at a time (ten independent chains of
        // additions), examples in order; ∂a and ∂b in separate sweeps so that the running sums
        // stay in registers. Every sweep of one pair of 8-input groups runs before the next pair,
        // so the examples' inputs (and signs) come from the L1 cache after the first sweep.
        var k = 0
        while k < d {
            let k2 = k &+ 8 < d ? k &+ 8 : k  // an odd last group pairs with itself
            for j0 in stride(from: 0, to: ub, by: 5) {
                let rb = d &* 4
                @inline(__always) func sweep(_ gv: UnsafePointer<Float>, signs: Bool, _ out: UnsafeMutablePointer<Float>) {
                    var s0 = SIMD8<Float>.zero, s1 = s0, s2 = s0, s3 = s0, s4 = s0
                    var t0 = s0, t1 = s0, t2 = s0, t3 = s0, t4 = s0
                    for e in 0 ..< n {
                        let xr = UnsafeRawPointer(x + e &* strideX)
                        var xv = xr.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
                        var yv = xr.loadUnaligned(fromByteOffset: k2 &* 4, as: SIMD8<Float>.self)
                        if signs {
                            let sr = UnsafeRawPointer(signIn! + e &* d)
                            xv = xv * sr.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
                            yv = yv * sr.loadUnaligned(fromByteOffset: k2 &* 4, as: SIMD8<Float>.self)
                        }
                        let ge = gv + (e &* ub &+ j0)
                        let g0 = SIMD8<Float>(repeating: ge[0]), g1 = SIMD8<Float>(repeating: ge[1])
                        let g2 = SIMD8<Float>(repeating: ge[2]), g3 = SIMD8<Float>(repeating: ge[3])
                        let g4 = SIMD8<Float>(repeating: ge[4])
                        s0 += xv * g0; t0 += yv * g0; s1 += xv * g1; t1 += yv * g1
                        s2 += xv * g2; t2 += yv * g2; s3 += xv * g3; t3 += yv * g3
                        s4 += xv * g4; t4 += yv * g4
                    }
                    @inline(__always) func store(_ k: Int, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>,
                                                 _ v3: SIMD8<Float>, _ v4: SIMD8<Float>) {
                        let o = UnsafeMutableRawPointer(out + (j0 &* d &+ k))
                        o.storeBytes(of: v0, as: SIMD8<Float>.self)
                        o.storeBytes(of: v1, toByteOffset: rb, as: SIMD8<Float>.self)
                        o.storeBytes(of: v2, toByteOffset: 2 &* rb, as: SIMD8<Float>.self)
                        o.storeBytes(of: v3, toByteOffset: 3 &* rb, as: SIMD8<Float>.self)
                        o.storeBytes(of: v4, toByteOffset: 4 &* rb, as: SIMD8<Float>.self)
                    }
                    store(k, s0, s1, s2, s3, s4)
                    if k2 != k { store(k2, t0, t1, t2, t3, t4) }
                }
                sweep(g, signs: false, gradA)
                if flipout, let gradB { sweep(gr, signs: true, gradB) }
            }
            k &+= 16
        }
        guard let dx else { return }
        // Input gradient, inputs in blocks of 256 (the blocks' rows of aᵀ and bᵀ, 20 KiB for ten
        // classes, stay in the L1 cache while every example passes), two examples at a time (the
        // weights loaded once serve both): first Σ_u gₙu aᵀ[u, d] into dx, then dx + sₙd · Σ_u gʳₙu bᵀ[u, d]
        // and the ReLU mask. Each sum runs over the classes in order from 0; storing the first
        // part in dx and loading it again does not change a bit.
        let blockInputs = 256
        var k0 = 0
        while k0 < d {
            let k1 = min(d, k0 &+ blockInputs)
            let last = k1 &- 8
            var e = 0
            while e < n {
                let e2 = min(e &+ 1, n &- 1)  // an odd last example pairs with itself
                /// Four groups of 8 inputs of both examples: eight independent chains over the classes.
                /// Groups past the block's end repeat its last group (computed again, not passed on).
                @inline(__always) func sweep(_ w: UnsafePointer<Float>, _ gE: UnsafePointer<Float>, _ gF: UnsafePointer<Float>,
                                             _ body: (_ e: Int, _ k: Int, _ s: SIMD8<Float>) -> Void) {
                    var k = k0
                    while k < k1 {
                        let kB = min(k &+ 8, last), kC = min(k &+ 16, last), kD = min(k &+ 24, last)
                        var p0 = SIMD8<Float>.zero, p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0
                        for j in 0 ..< u {
                            let wj = UnsafeRawPointer(w + j &* d)
                            let w0 = wj.loadUnaligned(fromByteOffset: k &* 4, as: SIMD8<Float>.self)
                            let w1 = wj.loadUnaligned(fromByteOffset: kB &* 4, as: SIMD8<Float>.self)
                            let w2 = wj.loadUnaligned(fromByteOffset: kC &* 4, as: SIMD8<Float>.self)
                            let w3 = wj.loadUnaligned(fromByteOffset: kD &* 4, as: SIMD8<Float>.self)
                            let g1 = SIMD8<Float>(repeating: gE[j]), g2 = SIMD8<Float>(repeating: gF[j])
                            p0 += g1 * w0; p1 += g1 * w1; p2 += g1 * w2; p3 += g1 * w3
                            q0 += g2 * w0; q1 += g2 * w1; q2 += g2 * w2; q3 += g2 * w3
                        }
                        // Each (example, group) once: a repeated last group is not passed on again.
                        body(e, k, p0)
                        if kB != k { body(e, kB, p1) }
                        if kC != kB { body(e, kC, p2) }
                        if kD != kC { body(e, kD, p3) }
                        if e2 != e {
                            body(e2, k, q0)
                            if kB != k { body(e2, kB, q1) }
                            if kC != kB { body(e2, kC, q2) }
                            if kD != kC { body(e2, kD, q3) }
                        }
                        k &+= 32
                    }
                }
                @inline(__always) func finish(_ e: Int, _ k: Int, _ v: SIMD8<Float>) {
                    var v = v
                    if reluMasked {
                        let xv = UnsafeRawPointer(x + (e &* strideX &+ k)).loadUnaligned(as: SIMD8<Float>.self)
                        v.replace(with: 0, where: .!(xv .> 0))
                    }
                    UnsafeMutableRawPointer(dx + (e &* strideX &+ k)).storeBytes(of: v, as: SIMD8<Float>.self)
                }
                if let b {
                    sweep(a, g + e &* ub, g + e2 &* ub) { e, k, sa in
                        UnsafeMutableRawPointer(dx + (e &* strideX &+ k)).storeBytes(of: sa, as: SIMD8<Float>.self)
                    }
                    sweep(b, gr + e &* ub, gr + e2 &* ub) { e, k, sb in
                        let sa = UnsafeRawPointer(dx + (e &* strideX &+ k)).loadUnaligned(as: SIMD8<Float>.self)
                        let sn = UnsafeRawPointer(signIn! + (e &* d &+ k)).loadUnaligned(as: SIMD8<Float>.self)
                        finish(e, k, sa + sn * sb)
                    }
                } else {
                    sweep(a, g + e &* ub, g + e2 &* ub) { e, k, sa in finish(e, k, sa) }
                }
                e &+= 2
            }
            k0 = k1
        }
    }

    /// The plain twin of ``denseBackward(n:x:strideX:inputs:units:dy:a:b:signIn:signOut:gradA:gradB:gradBias:dx:reluMasked:scratch:)``
    /// (same bits).
    public static func denseBackwardScalar(n: Int, x: UnsafePointer<Float>, strideX: Int, inputs d: Int, units u: Int,
                                           dy: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                                           signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                                           gradA: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?,
                                           gradBias: UnsafeMutablePointer<Float>,
                                           dx: UnsafeMutablePointer<Float>?, reluMasked: Bool) {
        let ub = blockedRows(u)
        func gr(_ e: Int, _ j: Int) -> Float { dy[e * u + j] * signOut![e * u + j] }
        for j in 0 ..< u {
            var s: Float = 0
            for e in 0 ..< n { s += dy[e * u + j] }
            gradBias[j] = s
        }
        for j in 0 ..< ub {
            for k in 0 ..< d {
                var sa: Float = 0, sb: Float = 0
                for e in 0 ..< n {
                    let xv = x[e * strideX + k]
                    sa += xv * (j < u ? dy[e * u + j] : 0)
                    if gradB != nil { sb += (xv * signIn![e * d + k]) * (j < u ? gr(e, j) : 0) }
                }
                gradA[j * d + k] = sa
                gradB?[j * d + k] = sb
            }
        }
        guard let dx else { return }
        for e in 0 ..< n {
            for k in 0 ..< d {
                var sa: Float = 0, sb: Float = 0
                for j in 0 ..< u { sa += dy[e * u + j] * a[j * d + k] }
                var v = sa
                if let b {
                    for j in 0 ..< u { sb += gr(e, j) * b[j * d + k] }
                    v = sa + signIn![e * d + k] * sb
                }
                if reluMasked && !(x[e * strideX + k] > 0) { v = 0 }
                dx[e * strideX + k] = v
            }
        }
    }
}

// MARK: Per-parameter work: the posterior's σ and the Gaussian KL term

extension Kernels {
    /// σ = softplus(ρ) = max(ρ, 0) + log1p(e^{−|ρ|}) and dσ/dρ = sigmoid(ρ) on eight lanes, from
    /// one exponential e = e^{−|ρ|} (`PortableMath`): sigmoid = 1/(1 + e) for ρ ≥ 0, e/(1 + e)
    /// for ρ < 0. BayesianNetworks' `Softplus` documents the formulas; this is their only code.
    @_transparent
    public static func softplus(_ rho: SIMD8<Float>) -> (sigma: SIMD8<Float>, dSigma: SIMD8<Float>) {
        let negative = rho .< 0
        let absRho: SIMD8<Float> = rho.replacing(with: -rho, where: negative)
        let e: SIMD8<Float> = PortableMath.exp(-absRho)
        let positivePart: SIMD8<Float> = rho.replacing(with: 0, where: negative)
        let s: SIMD8<Float> = positivePart + PortableMath.log1p(e)
        let inv: SIMD8<Float> = 1 / (1 + e)
        let d: SIMD8<Float> = inv.replacing(with: e * inv, where: negative)
        return (s, d)
    }

    /// ``softplus(_:)-(SIMD8<Float>)`` of `count` values ρ into `sigma` and `dSigma` (eight at a
    /// time; the tail runs the same lanes, so every element gets the bits of the one-lane call).
    public static func softplus(_ rho: UnsafePointer<Float>, count: Int,
                                _ sigma: UnsafeMutablePointer<Float>, _ dSigma: UnsafeMutablePointer<Float>) {
        var i = 0
        // Sixteen at a time while they last: two independent chains of polynomial steps, which
        // the core overlaps (one group alone waits on each step's latency).
        while i &+ 16 <= count {
            let (s0, d0) = softplus(UnsafeRawPointer(rho + i).loadUnaligned(as: SIMD8<Float>.self))
            let (s1, d1) = softplus(UnsafeRawPointer(rho + (i &+ 8)).loadUnaligned(as: SIMD8<Float>.self))
            UnsafeMutableRawPointer(sigma + i).storeBytes(of: s0, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(sigma + (i &+ 8)).storeBytes(of: s1, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dSigma + i).storeBytes(of: d0, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(dSigma + (i &+ 8)).storeBytes(of: d1, as: SIMD8<Float>.self)
            i &+= 16
        }
        while i < count {
            let m = min(8, count &- i)
            var r = SIMD8<Float>(repeating: 0)
            if m == 8 { r = UnsafeRawPointer(rho + i).loadUnaligned(as: SIMD8<Float>.self) }
            else { for l in 0 ..< m { r[l] = rho[i &+ l] } }
            let (s, d) = softplus(r)
            if m == 8 {
                UnsafeMutableRawPointer(sigma + i).storeBytes(of: s, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(dSigma + i).storeBytes(of: d, as: SIMD8<Float>.self)
            } else {
                for l in 0 ..< m { sigma[i &+ l] = s[l]; dSigma[i &+ l] = d[l] }
            }
            i &+= 8
        }
    }

    /// KL(N(μ, σ²) ‖ N(0, σₚ²)) and its gradient on four weights, in double precision but for
    /// log σ, which the caller supplies (single precision, see below):
    /// ```
    /// KL = (log σₚ − log σ) + (σ² + μ²)/(2σₚ²) − ½,   ∂KL/∂μ = μ/σₚ²,   ∂KL/∂σ = −1/σ + σ/σₚ²
    /// ```
    /// (BayesianNetworks' `GaussianPrior`; this is its only code.) The gradient does not involve
    /// the logarithm, so its precision has no bearing on training; the value (the loss reported
    /// per epoch) carries log σ to float precision, ≤ 2 ulp of a number of order 1 per weight.
    @_transparent
    public static func gaussianKL(mu: SIMD4<Double>, sigma: SIMD4<Double>, logSigma: SIMD4<Double>,
                                  logSigmaPrior: Double, sigmaPrior: Double)
        -> (value: SIMD4<Double>, dMu: SIMD4<Double>, dSigma: SIMD4<Double>) {
        let s2 = sigmaPrior * sigmaPrior
        // Divisions by σₚ² and 2σₚ² become multiplications by their reciprocals when those are
        // exact (σₚ² a power of two, as for the study's σₚ = 1): the same bits, a third of the
        // double-precision divisions, which are most of this function's cost.
        if s2.significandBitPattern == 0 && s2.isNormal && (1 / (2 * s2)).isNormal {
            let r = 1 / s2, r2 = 1 / (2 * s2)
            let value = (logSigmaPrior - logSigma) + (sigma * sigma + mu * mu) * r2 - 0.5
            return (value, mu * r, -1 / sigma + sigma * r)
        }
        let value = (logSigmaPrior - logSigma) + (sigma * sigma + mu * mu) / (2 * s2) - 0.5
        return (value, mu / s2, -1 / sigma + sigma / s2)
    }

    /// log σ of eight float σ, widened to two groups of four doubles (`PortableMath`'s float log:
    /// its cost is a quarter of the double one's, and the KL gradient does not use it).
    @_transparent
    public static func logSigma(_ sigma: SIMD8<Float>) -> (SIMD4<Double>, SIMD4<Double>) {
        let l = PortableMath.log(sigma)
        return (SIMD4(Double(l[0]), Double(l[1]), Double(l[2]), Double(l[3])),
                SIMD4(Double(l[4]), Double(l[5]), Double(l[6]), Double(l[7])))
    }

    /// ``gaussianKL(mu:sigma:logSigma:logSigmaPrior:sigmaPrior:)`` of `count` weights (float μ,
    /// σ) into `dMu` and `dSigma`, eight at a time (a partial last group pads σ with 1), and the
    /// sum of their KL values: four running sums, one per lane of a four-weight group, each in
    /// weight order from 0, added as (s₀ + s₁) + (s₂ + s₃) at the end.
    public static func gaussianKL(mu: UnsafePointer<Float>, sigma: UnsafePointer<Float>, count: Int, sigmaPrior: Double,
                                  dMu: UnsafeMutablePointer<Double>, dSigma: UnsafeMutablePointer<Double>) -> Double {
        let logPrior = PortableMath.log(sigmaPrior)
        var sum = SIMD4<Double>.zero
        var i = 0
        /// The two four-weight groups of the eight weights from i, of which the first m are real
        /// (the rest padding): their KL values added to `sum` in order (padding lanes as 0), their
        /// gradients stored.
        @inline(__always) func groups(_ i: Int, _ m: Int, _ mv: SIMD8<Float>, _ sv: SIMD8<Float>,
                                      _ lo: SIMD4<Double>, _ hi: SIMD4<Double>) {
            for half in 0 ..< 2 {
                let o = half &* 4, valid = min(4, max(0, m &- o))
                if valid == 0 { break }
                let muD = SIMD4<Double>(Double(mv[o]), Double(mv[o &+ 1]), Double(mv[o &+ 2]), Double(mv[o &+ 3]))
                let sD = SIMD4<Double>(Double(sv[o]), Double(sv[o &+ 1]), Double(sv[o &+ 2]), Double(sv[o &+ 3]))
                let t = gaussianKL(mu: muD, sigma: sD, logSigma: half == 0 ? lo : hi, logSigmaPrior: logPrior,
                                   sigmaPrior: sigmaPrior)
                let at = i &+ o
                if valid == 4 {
                    sum += t.value
                    UnsafeMutableRawPointer(dMu + at).storeBytes(of: t.dMu, as: SIMD4<Double>.self)
                    UnsafeMutableRawPointer(dSigma + at).storeBytes(of: t.dSigma, as: SIMD4<Double>.self)
                } else {
                    var v = t.value
                    for l in valid ..< 4 { v[l] = 0 }
                    sum += v
                    for l in 0 ..< valid { dMu[at &+ l] = t.dMu[l]; dSigma[at &+ l] = t.dSigma[l] }
                }
            }
        }
        // Sixteen weights at a time while they last: both logarithms first (independent chains
        // the core overlaps), then the four groups in order.
        while i &+ 16 <= count {
            let mv0 = UnsafeRawPointer(mu + i).loadUnaligned(as: SIMD8<Float>.self)
            let sv0 = UnsafeRawPointer(sigma + i).loadUnaligned(as: SIMD8<Float>.self)
            let mv1 = UnsafeRawPointer(mu + (i &+ 8)).loadUnaligned(as: SIMD8<Float>.self)
            let sv1 = UnsafeRawPointer(sigma + (i &+ 8)).loadUnaligned(as: SIMD8<Float>.self)
            let (lo0, hi0) = logSigma(sv0), (lo1, hi1) = logSigma(sv1)
            groups(i, 8, mv0, sv0, lo0, hi0)
            groups(i &+ 8, 8, mv1, sv1, lo1, hi1)
            i &+= 16
        }
        while i < count {
            let m = min(8, count &- i)
            var mv = SIMD8<Float>(repeating: 0), sv = SIMD8<Float>(repeating: 1)
            if m == 8 {
                mv = UnsafeRawPointer(mu + i).loadUnaligned(as: SIMD8<Float>.self)
                sv = UnsafeRawPointer(sigma + i).loadUnaligned(as: SIMD8<Float>.self)
            } else {
                for l in 0 ..< m { mv[l] = mu[i &+ l]; sv[l] = sigma[i &+ l] }
            }
            let (lo, hi) = logSigma(sv)
            groups(i, m, mv, sv, lo, hi)
            i &+= 8
        }
        return (sum[0] + sum[1]) + (sum[2] + sum[3])
    }
}

// MARK: Weight noise: Gaussians from the generator's words

extension Kernels {
    /// Sixteen N(mean, stddev²) draws by Box–Muller on eight lanes from sixteen 32-bit words
    /// (the first eight give u₁, the second eight u₂; BayesianNetworks' `fillGaussian`
    /// documents the definition, this is its only code):
    /// ```
    /// u₁ = (a + ½)/2²⁴ ∈ (0, 1),  u₂ = b/2²⁴ ∈ [0, 1)      a, b: the top 24 bits of the words
    /// z = mean + stddev · (√(−2 log u₁) · (cos 2πu₂, sin 2πu₂))
    /// ```
    /// Returns the eight cosine draws, then the eight sine draws.
    @_transparent
    public static func boxMuller(_ words: SIMD16<UInt32>, mean: Float, stddev: Float) -> (SIMD8<Float>, SIMD8<Float>) {
        // The top 24 bits as exact floats, without a slow SIMD conversion: 2²³ + v has v in
        // its 23 mantissa bits, so the low 23 bits and the 24th go through that separately.
        let top = words &>> 8
        let lo = unsafeBitCast((top & 0x7F_FFFF) | 0x4B00_0000, to: SIMD16<Float>.self) - 8_388_608
        let hi = unsafeBitCast((top &>> 23) | 0x4B00_0000, to: SIMD16<Float>.self) - 8_388_608
        let w = lo + hi * 8_388_608
        let a = w.lowHalf, b = w.highHalf
        let u1 = (a + 0.5) * 0x1p-24, u2 = b * 0x1p-24
        let r = (-2 * PortableMath.log(u1)).squareRoot()
        let (s, c) = PortableMath.sinCosTurns(u2)
        return (mean + stddev * (r * c), mean + stddev * (r * s))
    }

    /// ``boxMuller(_:mean:stddev:)`` over `count` outputs: output 16k + l comes from words
    /// 16k ..< 16k + 16 (`words` holds ⌈count/16⌉·16 of them; a partial last block uses its
    /// first outputs).
    public static func gaussians(words: UnsafePointer<UInt32>, count: Int, mean: Float, stddev: Float,
                                 _ out: UnsafeMutablePointer<Float>) {
        var i = 0
        // Two blocks at a time while they last (independent chains the core overlaps).
        while i &+ 32 <= count {
            let (z0, z1) = boxMuller(UnsafeRawPointer(words + i).loadUnaligned(as: SIMD16<UInt32>.self),
                                     mean: mean, stddev: stddev)
            let (z2, z3) = boxMuller(UnsafeRawPointer(words + (i &+ 16)).loadUnaligned(as: SIMD16<UInt32>.self),
                                     mean: mean, stddev: stddev)
            UnsafeMutableRawPointer(out + i).storeBytes(of: z0, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + (i &+ 8)).storeBytes(of: z1, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + (i &+ 16)).storeBytes(of: z2, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + (i &+ 24)).storeBytes(of: z3, as: SIMD8<Float>.self)
            i &+= 32
        }
        while i < count {
            let (z0, z1) = boxMuller(UnsafeRawPointer(words + i).loadUnaligned(as: SIMD16<UInt32>.self),
                                     mean: mean, stddev: stddev)
            let m = min(16, count &- i)
            if m == 16 {
                UnsafeMutableRawPointer(out + i).storeBytes(of: z0, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + (i &+ 8)).storeBytes(of: z1, as: SIMD8<Float>.self)
            } else {
                for l in 0 ..< min(8, m) { out[i &+ l] = z0[l] }
                if m > 8 { for l in 0 ..< m &- 8 { out[i &+ 8 &+ l] = z1[l] } }
            }
            i &+= 16
        }
    }
}

// MARK: The optimiser's step

extension Kernels {
    /// Adam's update of parameters [lo, hi) with gradient `g` (BayesianNetworks' `Adam` documents
    /// the formulas; this is their only code), in this order per element:
    /// ```
    /// m ← β₁ m + (1 − β₁) g,   v ← β₂ v + ((1 − β₂) g) g,   θ ← θ − (αₜ m) / (√v + ε)
    /// ```
    /// and θ also into `copy` if given. Eight lanes at a time, the tail one lane at a time with the
    /// same operations (square root and division are correctly rounded on every lane), so every
    /// element gets the bits of a one-at-a-time loop, whatever the range.
    public static func adam(_ lo: Int, _ hi: Int, gradient g: UnsafePointer<Float>, theta: UnsafeMutablePointer<Float>,
                            m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, copy: UnsafeMutablePointer<Float>?,
                            alpha: Float, beta1: Float, beta2: Float, epsilon: Float) {
        let oneMinusB1 = 1 - beta1, oneMinusB2 = 1 - beta2
        var i = lo
        while i &+ 8 <= hi {
            @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
                UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            }
            @inline(__always) func store(_ x: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
                UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: SIMD8<Float>.self)
            }
            let gi = load(g)
            let mi = beta1 * load(m) + oneMinusB1 * gi
            let vi = beta2 * load(v) + oneMinusB2 * gi * gi
            store(mi, m); store(vi, v)
            let th = load(theta) - alpha * mi / (vi.squareRoot() + epsilon)
            store(th, theta)
            if let copy { store(th, copy) }
            i &+= 8
        }
        while i < hi {
            let gi = g[i]
            m[i] = beta1 * m[i] + oneMinusB1 * gi
            v[i] = beta2 * v[i] + oneMinusB2 * gi * gi
            theta[i] -= alpha * m[i] / (v[i].squareRoot() + epsilon)
            copy?[i] = theta[i]
            i &+= 1
        }
    }
}

// MARK: The minibatch gradient from the shards' parts

extension Kernels {
    /// The gradient of parameters [lo, hi), all of one parameter block, from the shards' parts
    /// (BayesianNetworks' `reduceGradients` documents the formulas; this is their only code):
    /// ```
    /// Sμ = ((0 + gμ₀) + gμ₁) + …            shards in order from 0
    /// SΔ = ((0 + gΔ₀) + gΔ₁) + …            (SΔ = Sμ for a Bayesian bias)
    /// Bayesian block:  gm = Sμ + klμ,   gr = (SΔ · ε + klσ) · dσ/dρ
    /// otherwise:       gm = Sμ,         gr = 0
    /// ```
    /// `klMu`, `klSigma` hold the KL terms of the chunk that starts at `klStart` (element i at
    /// i − klStart). Eight lanes at a time, the tail one lane at a time, the same operations.
    public static func gradientSpan(_ lo: Int, _ hi: Int, shards: Int,
                                    gradMu: UnsafePointer<UnsafePointer<Float>>, gradDelta: UnsafePointer<UnsafePointer<Float>>,
                                    bayesian: Bool, bias: Bool, klMu: UnsafePointer<Float>, klSigma: UnsafePointer<Float>,
                                    klStart: Int, epsilon: UnsafePointer<Float>, dSigma: UnsafePointer<Float>,
                                    gm: UnsafeMutablePointer<Float>, gr: UnsafeMutablePointer<Float>) {
        @inline(__always) func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
            UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
        }
        @inline(__always) func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
            UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
        }
        var i = lo
        while i &+ 8 <= hi {
            var sMu = SIMD8<Float>.zero
            for k in 0 ..< shards { sMu += load(gradMu[k], i) }
            if bayesian {
                var sDel = sMu
                if !bias { sDel = .zero; for k in 0 ..< shards { sDel += load(gradDelta[k], i) } }
                store(sMu + load(klMu, i &- klStart), gm, i)
                store((sDel * load(epsilon, i) + load(klSigma, i &- klStart)) * load(dSigma, i), gr, i)
            } else {
                store(sMu, gm, i); store(.zero, gr, i)
            }
            i &+= 8
        }
        while i < hi {
            var sMu: Float = 0
            for k in 0 ..< shards { sMu += gradMu[k][i] }
            if bayesian {
                var sDel = sMu
                if !bias { sDel = 0; for k in 0 ..< shards { sDel += gradDelta[k][i] } }
                gm[i] = sMu + klMu[i &- klStart]
                gr[i] = (sDel * epsilon[i] + klSigma[i &- klStart]) * dSigma[i]
            } else {
                gm[i] = sMu; gr[i] = 0
            }
            i &+= 1
        }
    }
}
