// 'Same'-padded 3×3 convolutions of study §4: the Flipout convolution (Wen et al. 2018,
// "Flipout: Efficient Pseudo-Independent Weight Perturbations on Mini-Batches",
// arXiv:1803.04386, §3 and the convolutional case in its appendix) and its deterministic twin.
// Both run on the im2col + sgemm kernels of Kernels.swift.
//
// Shape legend: N = examples, H×W = cells, Cin/Cout = channels, K = 3, P = N·H·W positions,
// R = K·K·Cin (im2col row length). x (N, H, W, Cin) with example stride strideX;
// weights (R, Cout); signIn (N, Cin); signOut (N, Cout); y (N, H, W, Cout) = (P, Cout).

/// Scratch buffers of one convolution for up to `capacity` examples.
public final class ConvWorkspace: @unchecked Sendable {
    /// im2col of the input, (P, R).
    public let cols: FloatBuffer
    /// im2col of the sign-flipped input x∘signIn, (P, R) — general Cin > 1 path only.
    public let colsSigned: FloatBuffer
    /// The two products [x⋆μ | (x∘s)⋆ΔW], (P, 2·Cout); backward reuses it for [∂y | ∂y∘f].
    public let pair: FloatBuffer
    /// ∂L/∂cols, (P, R) — only when the input gradient is requested.
    public let dCols: FloatBuffer
    /// Combined weights [μ | ΔW], (R, 2·Cout).
    public let weightPair: FloatBuffer
    /// Example capacity.
    public let capacity: Int
    /// Buffers for `layer` and up to `capacity` examples.
    public init(layer: FlipoutConv2D, capacity: Int, inputGradient: Bool = true) {
        let p = capacity * layer.height * layer.width, r = layer.rowLength
        self.capacity = capacity
        cols = FloatBuffer(count: p * r)
        colsSigned = FloatBuffer(count: layer.channelsIn > 1 ? p * r : 0)
        pair = FloatBuffer(count: p * 2 * layer.channelsOut)
        dCols = FloatBuffer(count: inputGradient ? p * r : 0)
        weightPair = FloatBuffer(count: r * 2 * layer.channelsOut)
    }
}

/// A Flipout 2D convolution, 'same' padding, 3×3 kernel, stride 1.
///
/// One weight perturbation ΔW = σ ∘ ε (ε ~ N(0, 1), σ = softplus(ρ)) is drawn per forward pass
/// and shared by the batch; example n sees it flipped by its own Rademacher signs, constant over
/// positions (Wen et al. 2018, eq. 4 for convolutions):
/// ```
/// Wₙ = μ + ΔW ∘ (sₙ rₙᵀ),   sₙ ∈ {±1}^Cin (signIn),  rₙ ∈ {±1}^Cout (signOut)
/// yₙ = xₙ ⋆ μ + ((xₙ ∘ sₙ) ⋆ ΔW) ∘ rₙ + b
/// ```
/// (⋆ the convolution, ∘ broadcast over positions). The biases are deterministic here; Bayesian
/// biases are sampled once per pass by the network (b = μ_b + σ_b ∘ ε_b).
public struct FlipoutConv2D: Sendable {
    /// Rows H and columns W of the cell grid.
    public let height: Int, width: Int
    /// Channels in and out.
    public let channelsIn: Int, channelsOut: Int
    /// Kernel side K (3).
    public let kernel = 3

    /// A layer for an H×W grid with Cin → Cout channels.
    public init(height: Int, width: Int, channelsIn: Int, channelsOut: Int) {
        self.height = height; self.width = width; self.channelsIn = channelsIn; self.channelsOut = channelsOut
    }

    /// R = K·K·Cin, the length of one im2col row.
    public var rowLength: Int { kernel * kernel * channelsIn }
    /// Number of weights, R·Cout.
    public var weightCount: Int { rowLength * channelsOut }
    /// Number of outputs per example, H·W·Cout.
    public var outputCount: Int { height * width * channelsOut }

    // MARK: Forward

    /// Flipout forward pass (pointer level).
    ///
    /// - Parameters:
    ///   - n: N, the number of examples (≤ `ws.capacity`).
    ///   - x: input cells (N, H, W, Cin), example n at `x + n·strideX`.
    ///   - strideX: floats between consecutive examples of `x`, ≥ H·W·Cin (504 when `x` points
    ///     into the (N, 504) cell matrix at this layer's offset).
    ///   - mu: posterior means μ of the kernel, (R, Cout) = (K·K·Cin, Cout).
    ///   - delta: the shared perturbation ΔW = σ ∘ ε, (R, Cout).
    ///   - bias: (Cout), added to every position (already sampled if the biases are Bayesian).
    ///   - signIn: input signs sₙ ∈ {±1}, (N, Cin); example n's start at n·signStride·Cin.
    ///   - signOut: output signs rₙ ∈ {±1}, (N, Cout); example n's start at n·signStride·Cout.
    ///   - y: out, (N, H, W, Cout) with example stride `strideY` (so branches can write
    ///     straight into the concatenated feature matrix).
    ///   - strideY: floats between consecutive examples of `y`, ≥ H·W·Cout.
    ///   - relu: apply ReLU to y.
    ///   - ws: scratch for up to `ws.capacity` examples; on return its `cols` hold the im2col
    ///     of `x`, which ``backward(n:dy:strideDY:mu:delta:signIn:signOut:gradMu:gradDelta:gradBias:dx:workspace:signStride:)`` reuses.
    ///   - signStride: 1 for signs stored per layer; the number of layers when several layers'
    ///     signs are interleaved per example (the network stores its 3 branches' signs that way).
    public func forward(n: Int, x: UnsafePointer<Float>, strideX: Int,
                        mu: UnsafePointer<Float>, delta: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        signIn: UnsafePointer<Float>, signOut: UnsafePointer<Float>,
                        y: UnsafeMutablePointer<Float>, strideY: Int, relu: Bool, workspace ws: ConvWorkspace,
                        signStride: Int = 1) {
        let hw = height * width, p = n * hw, r = rowLength, c = channelsOut
        let sInStride = signStride * channelsIn, sOutStride = signStride * c
        precondition(n <= ws.capacity)
        let cols = ws.cols.pointer, pair = ws.pair.pointer
        Kernels.im2col(x, n: n, height: height, width: width, channels: channelsIn, kernel: kernel,
                       strideX: strideX, cols)
        if channelsIn == 1 {
            // With one input channel sₙ is a scalar per example and the convolution is linear:
            // (xₙ sₙ) ⋆ ΔW = sₙ (xₙ ⋆ ΔW). One sgemm against [μ | ΔW] gives both products.
            let wp = ws.weightPair.pointer
            for i in 0 ..< r {
                for j in 0 ..< c { wp[i * 2 * c + j] = mu[i * c + j]; wp[i * 2 * c + c + j] = delta[i * c + j] }
            }
            Kernels.sgemm(m: p, n: 2 * c, k: r, cols, lda: r, wp, ldb: 2 * c, pair, ldc: 2 * c)
        } else {
            let colsS = ws.colsSigned.pointer
            for e in 0 ..< n {
                let s = signIn + e * sInStride
                for q in 0 ..< hw {
                    let src = cols + (e * hw + q) * r, dst = colsS + (e * hw + q) * r
                    for k in 0 ..< r { dst[k] = src[k] * s[k % channelsIn] }
                }
            }
            Kernels.sgemm(m: p, n: c, k: r, cols, lda: r, mu, ldb: c, pair, ldc: 2 * c)
            Kernels.sgemm(m: p, n: c, k: r, colsS, lda: r, delta, ldb: c, pair + c, ldc: 2 * c)
        }
        // yₙ = A + fₙ ∘ B + b with fₙ = rₙ (sₙ rₙ when Cin = 1, the sign factored out above).
        if c == 8 {
            let b8 = UnsafeRawPointer(bias).loadUnaligned(as: SIMD8<Float>.self)
            for e in 0 ..< n {
                let sIn: Float = channelsIn == 1 ? signIn[e &* sInStride] : 1
                let f = sIn * UnsafeRawPointer(signOut + e &* sOutStride).loadUnaligned(as: SIMD8<Float>.self)
                let yE = UnsafeMutableRawPointer(y + e &* strideY), aE = UnsafeRawPointer(pair + e &* hw &* 16)
                for q in 0 ..< hw {
                    let a = aE.loadUnaligned(fromByteOffset: q &* 64, as: SIMD8<Float>.self)
                    let bb = aE.loadUnaligned(fromByteOffset: q &* 64 &+ 32, as: SIMD8<Float>.self)
                    var v = a + f * bb + b8
                    if relu { v.replace(with: 0, where: v .< 0) }
                    yE.storeBytes(of: v, toByteOffset: q &* 32, as: SIMD8<Float>.self)
                }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { f in
            for e in 0 ..< n {
                let sIn: Float = channelsIn == 1 ? signIn[e * sInStride] : 1
                for j in 0 ..< c { f[j] = sIn * signOut[e * sOutStride + j] }
                let yE = y + e * strideY
                for q in 0 ..< hw {
                    let a = pair + (e * hw + q) * 2 * c, out = yE + q * c
                    if relu {
                        for j in 0 ..< c { out[j] = max(0, a[j] + f[j] * a[c + j] + bias[j]) }
                    } else {
                        for j in 0 ..< c { out[j] = a[j] + f[j] * a[c + j] + bias[j] }
                    }
                }
            }
        }
    }

    // MARK: Backward

    /// Flipout backward pass (pointer level), after ``forward(n:x:strideX:mu:delta:bias:signIn:signOut:y:strideY:relu:workspace:signStride:)``
    /// with the same workspace (its `cols` are reused).
    ///
    /// Derivation, per example n and position q, with Aₙ = xₙ ⋆ μ, Bₙ = (xₙ ∘ sₙ) ⋆ ΔW,
    /// yₙ = Aₙ + Bₙ ∘ rₙ + b and g = ∂L/∂y (already through the ReLU, see `dy`):
    /// ```
    /// ∂L/∂μ   = Σₙ colsₙᵀ gₙ                     (A is linear in μ)
    /// ∂L/∂ΔW  = Σₙ (colsₙ ∘ sₙ)ᵀ (gₙ ∘ rₙ)         (B is linear in ΔW)
    /// ∂L/∂b   = Σₙ,q gₙq
    /// ∂L/∂xₙ  = col2im( gₙ μᵀ + ((gₙ ∘ rₙ) ΔWᵀ) ∘ sₙ )
    /// ```
    /// The ρ-gradient follows by the chain rule through ΔW = softplus(ρ) ∘ ε (done by the caller,
    /// which owns ε): ∂L/∂ρ = ∂L/∂ΔW ∘ ε ∘ sigmoid(ρ).
    ///
    /// - Parameters:
    ///   - n: N, the number of examples, as in the forward pass.
    ///   - dy: ∂L/∂y, (N, H, W, Cout) with example stride `strideDY`; *read only*.
    ///   - strideDY: floats between consecutive examples of `dy`, ≥ H·W·Cout.
    ///   - mu: μ of the kernel, (R, Cout), as in the forward pass.
    ///   - delta: ΔW = σ ∘ ε, (R, Cout), the same draw as in the forward pass.
    ///   - signIn: the forward pass's input signs, (N, Cin), stride as there.
    ///   - signOut: the forward pass's output signs, (N, Cout), stride as there.
    ///   - gradMu: out, ∂L/∂μ (R, Cout), overwritten.
    ///   - gradDelta: out, ∂L/∂ΔW (R, Cout), overwritten.
    ///   - gradBias: out, ∂L/∂b (Cout), overwritten.
    ///   - dx: out, (N, H, W, Cin) dense, or nil to skip the input gradient.
    ///   - ws: the workspace of the forward pass (its `cols` are read; `pair` is overwritten).
    ///   - signStride: as in the forward pass.
    public func backward(n: Int, dy: UnsafePointer<Float>, strideDY: Int,
                         mu: UnsafePointer<Float>, delta: UnsafePointer<Float>,
                         signIn: UnsafePointer<Float>, signOut: UnsafePointer<Float>,
                         gradMu: UnsafeMutablePointer<Float>, gradDelta: UnsafeMutablePointer<Float>,
                         gradBias: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                         workspace ws: ConvWorkspace, signStride: Int = 1) {
        let hw = height * width, p = n * hw, r = rowLength, c = channelsOut
        let sInStride = signStride * channelsIn, sOutStride = signStride * c
        let cols = ws.cols.pointer, g2 = ws.pair.pointer
        // g2 = [g | g ∘ fₙ] (P, 2C), fₙ as in the forward pass.
        gradBias.update(repeating: 0, count: c)
        if c == 8 {
            var gb = SIMD8<Float>()
            for e in 0 ..< n {
                let sIn: Float = channelsIn == 1 ? signIn[e &* sInStride] : 1
                let f = sIn * UnsafeRawPointer(signOut + e &* sOutStride).loadUnaligned(as: SIMD8<Float>.self)
                let gE = UnsafeRawPointer(dy + e &* strideDY), out = UnsafeMutableRawPointer(g2 + e &* hw &* 16)
                for q in 0 ..< hw {
                    let v = gE.loadUnaligned(fromByteOffset: q &* 32, as: SIMD8<Float>.self)
                    out.storeBytes(of: v, toByteOffset: q &* 64, as: SIMD8<Float>.self)
                    out.storeBytes(of: v * f, toByteOffset: q &* 64 &+ 32, as: SIMD8<Float>.self)
                    gb += v
                }
            }
            UnsafeMutableRawPointer(gradBias).storeBytes(of: gb, as: SIMD8<Float>.self)
        } else {
        for e in 0 ..< n {
            let sIn: Float = channelsIn == 1 ? signIn[e * sInStride] : 1
            for q in 0 ..< hw {
                let gq = dy + e * strideDY + q * c, out = g2 + (e * hw + q) * 2 * c
                for j in 0 ..< c {
                    let v = gq[j]
                    out[j] = v; out[c + j] = v * sIn * signOut[e * sOutStride + j]; gradBias[j] += v
                }
            }
        }
        }
        if channelsIn == 1 {
            // [∂L/∂μ | ∂L/∂ΔW] = colsᵀ [g | g∘(s r)]: one sgemm, (R, 2C).
            withUnsafeTemporaryAllocation(of: Float.self, capacity: r * 2 * c) { gp in
                Kernels.sgemm(transA: true, m: r, n: 2 * c, k: p, cols, lda: r, g2, ldb: 2 * c,
                              gp.baseAddress!, ldc: 2 * c)
                for i in 0 ..< r {
                    for j in 0 ..< c { gradMu[i * c + j] = gp[i * 2 * c + j]; gradDelta[i * c + j] = gp[i * 2 * c + c + j] }
                }
            }
            if let dx {
                // ∂L/∂cols = [g | g∘(s r)] [μ | ΔW]ᵀ.
                Kernels.sgemm(transB: true, m: p, n: r, k: 2 * c, g2, lda: 2 * c, ws.weightPair.pointer, ldb: 2 * c,
                              ws.dCols.pointer, ldc: r)
                Kernels.col2im(ws.dCols.pointer, n: n, height: height, width: width, channels: 1, kernel: kernel, dx)
            }
        } else {
            let colsS = ws.colsSigned.pointer
            Kernels.sgemm(transA: true, m: r, n: c, k: p, cols, lda: r, g2, ldb: 2 * c, gradMu, ldc: c)
            Kernels.sgemm(transA: true, m: r, n: c, k: p, colsS, lda: r, g2 + c, ldb: 2 * c, gradDelta, ldc: c)
            if let dx {
                let dCols = ws.dCols.pointer
                // (g∘r) ΔWᵀ, flipped by sₙ per input channel, then + g μᵀ.
                Kernels.sgemm(transB: true, m: p, n: r, k: c, g2 + c, lda: 2 * c, delta, ldb: c, dCols, ldc: r)
                for e in 0 ..< n {
                    let s = signIn + e * sInStride
                    for q in 0 ..< hw {
                        let row = dCols + (e * hw + q) * r
                        for k in 0 ..< r { row[k] *= s[k % channelsIn] }
                    }
                }
                Kernels.sgemm(transB: true, m: p, n: r, k: c, g2, lda: 2 * c, mu, ldb: c, beta: 1, dCols, ldc: r)
                Kernels.col2im(dCols, n: n, height: height, width: width, channels: channelsIn, kernel: kernel, dx)
            }
        }
    }

    // MARK: Deterministic twin (same kernels)

    /// Plain convolution y = x ⋆ W + b (optionally ReLU) — the deterministic twin, and the
    /// Monte-Carlo prediction pass with sampled weights W = μ + σ∘ε.
    /// Shapes as in the Flipout forward; `weight` (R, Cout). Uses `workspace.cols` (unless
    /// `colsReady`, when the caller already filled it for this x) and `workspace.pair`.
    public func forwardPlain(n: Int, x: UnsafePointer<Float>, strideX: Int, weight: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, strideY: Int,
                             relu: Bool, colsReady: Bool = false, workspace ws: ConvWorkspace) {
        let hw = height * width, p = n * hw, r = rowLength, c = channelsOut
        let cols = ws.cols.pointer, a = ws.pair.pointer
        if !colsReady {
            Kernels.im2col(x, n: n, height: height, width: width, channels: channelsIn, kernel: kernel, strideX: strideX, cols)
        }
        Kernels.sgemm(m: p, n: c, k: r, cols, lda: r, weight, ldb: c, a, ldc: c)
        if c == 8 {
            // The study's 8 filters: one SIMD8 per position.
            let b8 = UnsafeRawPointer(bias).loadUnaligned(as: SIMD8<Float>.self)
            for e in 0 ..< n {
                let yE = UnsafeMutableRawPointer(y + e &* strideY), aE = UnsafeRawPointer(a + e &* hw &* 8)
                for q in 0 ..< hw {
                    var v = aE.loadUnaligned(fromByteOffset: q &* 32, as: SIMD8<Float>.self) + b8
                    if relu { v.replace(with: 0, where: v .< 0) }
                    yE.storeBytes(of: v, toByteOffset: q &* 32, as: SIMD8<Float>.self)
                }
            }
            return
        }
        for e in 0 ..< n {
            let yE = y + e * strideY, aE = a + e * hw * c
            if relu {
                for q in 0 ..< hw { for j in 0 ..< c { yE[q * c + j] = max(0, aE[q * c + j] + bias[j]) } }
            } else {
                for q in 0 ..< hw { for j in 0 ..< c { yE[q * c + j] = aE[q * c + j] + bias[j] } }
            }
        }
    }

    /// Backward of ``forwardPlain(n:x:strideX:weight:bias:y:strideY:relu:colsReady:workspace:)``:
    /// ```
    /// ∂L/∂W = colsᵀ g,   ∂L/∂b = Σ g,   ∂L/∂x = col2im(g Wᵀ)
    /// ```
    /// `dy` (N, H, W, Cout) with example stride `strideDY`; outputs overwritten.
    public func backwardPlain(n: Int, dy: UnsafePointer<Float>, strideDY: Int, weight: UnsafePointer<Float>,
                              gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
                              dx: UnsafeMutablePointer<Float>?, workspace ws: ConvWorkspace) {
        let hw = height * width, p = n * hw, r = rowLength, c = channelsOut
        var g = dy
        if strideDY != hw * c {
            // Pack g densely (P, C) so one sgemm covers the shard.
            let packed = ws.pair.pointer
            for e in 0 ..< n { (packed + e * hw * c).update(from: dy + e * strideDY, count: hw * c) }
            g = UnsafePointer(packed)
        }
        Kernels.columnSums(g, rows: p, cols: c, gradBias)
        Kernels.sgemm(transA: true, m: r, n: c, k: p, ws.cols.pointer, lda: r, g, ldb: c, gradWeight, ldc: c)
        if let dx {
            Kernels.sgemm(transB: true, m: p, n: r, k: c, g, lda: c, weight, ldb: c, ws.dCols.pointer, ldc: r)
            Kernels.col2im(ws.dCols.pointer, n: n, height: height, width: width, channels: channelsIn, kernel: kernel, dx)
        }
    }
}

/// The deterministic twin of ``FlipoutConv2D``: same shapes, same kernels, no perturbation.
public typealias Conv2D = FlipoutConv2D
