// 'Same'-padded 3×3 convolutions of study §4 with one input channel (a calorimeter layer's cell
// energies): the Flipout convolution (Wen et al. 2018, "Flipout: Efficient Pseudo-Independent
// Weight Perturbations on Mini-Batches", arXiv:1803.04386, §3 and its appendix for convolutions)
// and its deterministic twin, on the fixed-order kernels of the NetworkKernels module.
//
// Shape legend: N = examples, H×W = cells, F = filters, T9 = 3×3 taps.
// x (N, H, W) with example stride strideX; weights (T9, F); factor (N, F); y (N, H, W, F).
import NetworkKernels

/// Scratch of one convolution for up to `capacity` examples: the zero-bordered input tile.
public final class ConvWorkspace: @unchecked Sendable {
    /// (capacity, H+2, W+2), filled by the forward pass and read again by the backward pass.
    public let tile: FloatBuffer
    /// Example capacity.
    public let capacity: Int
    /// Buffers for `layer` and up to `capacity` examples.
    public init(layer: FlipoutConv2D, capacity: Int) {
        self.capacity = capacity
        tile = FloatBuffer(count: capacity * (layer.height + 2) * (layer.width + 2))
    }
}

/// A Flipout 2D convolution of one input channel into F filters, 'same' padding, 3×3, stride 1.
///
/// One weight perturbation ΔW = σ ∘ ε (ε ~ N(0, 1), σ = softplus(ρ)) is drawn per forward pass
/// and shared by the batch; example n sees it flipped by its own Rademacher signs, constant over
/// positions (Wen et al. 2018, eq. 4 for convolutions):
/// ```
/// Wₙ = μ + ΔW ∘ (sₙ rₙᵀ),   sₙ ∈ {±1} (one input channel),  rₙ ∈ {±1}^F
/// yₙ = xₙ ⋆ μ + fₙ ∘ (xₙ ⋆ ΔW) + b,   fₙ = sₙ rₙ
/// ```
/// (⋆ the convolution, ∘ broadcast over positions). With one input channel the input sign is a
/// scalar that factors out of the convolution, and fₙ = sₙrₙ is itself a uniform Rademacher
/// vector: the layer draws fₙ directly (the `factor` argument). The biases are deterministic here; Bayesian
/// biases are sampled once per pass by the network (b = μ_b + σ_b ∘ ε_b).
public struct FlipoutConv2D: Sendable {
    /// Rows H and columns W of the cell grid.
    public let height: Int, width: Int
    /// Filters F (8 in the study).
    public let filters: Int

    /// A layer for an H×W grid with F filters.
    public init(height: Int, width: Int, filters: Int) {
        self.height = height; self.width = width; self.filters = filters
    }

    /// Number of weights, 9·F.
    public var weightCount: Int { 9 * filters }
    /// Number of outputs per example, H·W·F.
    public var outputCount: Int { height * width * filters }

    /// Forward pass, Flipout (`delta` and `factor` given) or plain (both nil: the deterministic
    /// twin, or a Monte-Carlo pass with sampled weights W = μ + σ∘ε in `mu`).
    ///
    /// - Parameters:
    ///   - n: N, the number of examples (≤ `ws.capacity`).
    ///   - x: input cells (N, H, W), example n at `x + n·strideX`.
    ///   - strideX: floats between consecutive examples of `x`, ≥ H·W (504 when `x` points into
    ///     the (N, 504) cell matrix at this layer's offset).
    ///   - mu: μ (or W), (T9, F).
    ///   - delta: ΔW = σ ∘ ε, (T9, F), or nil.
    ///   - factor: fₙ ∈ {±1}^F, example n at `factor + n·factorStride`, or nil.
    ///   - factorStride: floats between consecutive examples' factors (3·F in the network, whose
    ///     branches' factors are interleaved per example).
    ///   - bias: (F), already sampled if Bayesian.
    ///   - y: out, (N, H, W, F) with example stride `strideY` (so branches can write straight
    ///     into the concatenated feature matrix).
    ///   - strideY: floats between consecutive examples of `y`, ≥ H·W·F.
    ///   - relu: apply ReLU to y.
    ///   - ws: scratch; keeps the padded input for ``backward(n:dy:strideDY:factor:factorStride:gradMu:gradDelta:gradBias:workspace:)``.
    public func forward(n: Int, x: UnsafePointer<Float>, strideX: Int, mu: UnsafePointer<Float>,
                        delta: UnsafePointer<Float>?, factor: UnsafePointer<Float>?, factorStride: Int,
                        bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, strideY: Int, relu: Bool,
                        workspace ws: ConvWorkspace) {
        precondition(n <= ws.capacity)
        Kernels.pad(x, n: n, height: height, width: width, strideX: strideX, ws.tile.pointer)
        ActiveKernels.conv3x3Forward(tile: ws.tile.pointer, n: n, height: height, width: width, filters: filters,
                                     a: mu, b: delta, factor: factor, factorStride: factorStride, bias: bias, relu: relu,
                               y: y, strideY: strideY)
    }

    /// Backward pass after ``forward(n:x:strideX:mu:delta:factor:factorStride:bias:y:strideY:relu:workspace:)``
    /// with the same workspace. With g = ∂L/∂y (already through the ReLU):
    /// ```
    /// ∂L/∂μ   = Σₙ Σ_q xₙ(q + τ) gₙq
    /// ∂L/∂ΔW  = Σₙ fₙ ∘ Σ_q xₙ(q + τ) gₙq     (Flipout)
    /// ∂L/∂b   = Σₙ,q gₙq
    /// ```
    /// The ρ-gradient follows by the chain rule through ΔW = softplus(ρ) ∘ ε (done by the caller,
    /// which owns ε): ∂L/∂ρ = ∂L/∂ΔW ∘ ε ∘ sigmoid(ρ). The convolutions read the calorimeter
    /// cells, so no input gradient is formed.
    ///
    /// - Parameters:
    ///   - n: N, the number of examples, as in the forward pass.
    ///   - dy: ∂L/∂y, (N, H, W, F) with example stride `strideDY`; read only.
    ///   - strideDY: floats between consecutive examples of `dy`.
    ///   - factor: the forward pass's fₙ, or nil (plain).
    ///   - factorStride: as in the forward pass.
    ///   - gradMu: out, (T9, F), overwritten.
    ///   - gradDelta: out, (T9, F), overwritten; nil for the plain layer.
    ///   - gradBias: out, (F), overwritten.
    ///   - ws: the forward pass's workspace (its padded input is read).
    public func backward(n: Int, dy: UnsafePointer<Float>, strideDY: Int, factor: UnsafePointer<Float>?, factorStride: Int,
                         gradMu: UnsafeMutablePointer<Float>, gradDelta: UnsafeMutablePointer<Float>?,
                         gradBias: UnsafeMutablePointer<Float>, workspace ws: ConvWorkspace) {
        ActiveKernels.conv3x3Backward(tile: ws.tile.pointer, n: n, height: height, width: width, filters: filters,
                                dy: dy, strideDY: strideDY, factor: factor, factorStride: factorStride,
                                gradA: gradMu, gradB: gradDelta, gradBias: gradBias)
    }
}

/// The deterministic twin of ``FlipoutConv2D``: the same layer called without a perturbation.
public typealias Conv2D = FlipoutConv2D
