// The fully connected output layer of study §4: Flipout (Wen et al. 2018, arXiv:1803.04386,
// eq. 4) and its deterministic twin, on the fixed-order kernels of the NetworkKernels module.
//
// Shape legend: N = examples, D = inputs (a multiple of 8), U = outputs (units), Ub = U rounded
// up to a multiple of 5. x (N, D) with row stride strideX; weights (D, U) as stored (Keras'
// layout), transposed (Ub, D) for the kernels; signIn (N, D); signOut (N, U); y (N, U).
import NetworkKernels

/// A dense layer's weights for one pass, transposed to (Ub, D) for the kernels (lanes over D).
public final class PackedDenseWeights: @unchecked Sendable {
    /// μ (or the sampled/plain W), (Ub, D).
    public let a: FloatBuffer
    /// ΔW, (Ub, D), or nil for a plain pass.
    public let b: FloatBuffer?
    /// Buffers for `layer`, with a perturbation if `flipout`.
    public init(layer: FlipoutDense, flipout: Bool) {
        let size = layer.inputs * Kernels.blockedRows(layer.units)
        a = FloatBuffer(count: size)
        b = flipout ? FloatBuffer(count: size) : nil
    }
    /// Transpose μ (D, U) and, for Flipout, ΔW (D, U).
    public func pack(layer: FlipoutDense, mu: UnsafePointer<Float>, delta: UnsafePointer<Float>?) {
        Kernels.transposeWeights(mu, inputs: layer.inputs, units: layer.units, a.pointer)
        if let b, let delta { Kernels.transposeWeights(delta, inputs: layer.inputs, units: layer.units, b.pointer) }
    }
}

/// Scratch of the dense backward pass for up to `capacity` examples.
public final class DenseWorkspace: @unchecked Sendable {
    /// g and g ∘ r per example, 2·(capacity, Ub).
    public let scratch: FloatBuffer
    /// The transposed weight gradients (Ub, D) before they are written in (D, U) order.
    public let gradA: FloatBuffer, gradB: FloatBuffer
    /// Example capacity.
    public let capacity: Int
    /// Buffers for `layer` and up to `capacity` examples.
    public init(layer: FlipoutDense, capacity: Int) {
        self.capacity = capacity
        let ub = Kernels.blockedRows(layer.units)
        scratch = FloatBuffer(count: 2 * capacity * ub)
        gradA = FloatBuffer(count: ub * layer.inputs); gradB = FloatBuffer(count: ub * layer.inputs)
    }
}

/// A Flipout dense layer:
/// ```
/// Wₙ = μ + ΔW ∘ (sₙ rₙᵀ),   ΔW = σ ∘ ε,  ε ~ N(0, 1),  σ = softplus(ρ)
/// yₙ = xₙᵀ μ + ((xₙ ∘ sₙ)ᵀ ΔW) ∘ rₙ + b,   sₙ ∈ {±1}^D, rₙ ∈ {±1}^U
/// ```
/// one ΔW per forward pass, shared by the batch; signs per example and unit.
public struct FlipoutDense: Sendable {
    /// D, the number of inputs (a multiple of 8).
    public let inputs: Int
    /// U, the number of outputs.
    public let units: Int
    /// A D → U layer.
    public init(inputs: Int, units: Int) {
        precondition(inputs % 8 == 0, "FlipoutDense: the number of inputs must be a multiple of 8")
        self.inputs = inputs; self.units = units
    }
    /// D·U.
    public var weightCount: Int { inputs * units }

    /// Forward pass, Flipout (`weights.b`, `signIn`, `signOut` given) or plain: x (N, D) with row
    /// stride `strideX`, bias (U) → y (N, U).
    public func forward(n: Int, x: UnsafePointer<Float>, strideX: Int, weights: PackedDenseWeights,
                        bias: UnsafePointer<Float>, signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                        y: UnsafeMutablePointer<Float>) {
        ActiveKernels.denseForward(n: n, x: x, strideX: strideX, inputs: inputs, units: units, a: weights.a.pointer,
                                   b: weights.b?.pointer, signIn: signIn, signOut: signOut, bias: bias, y: y)
    }

    /// Backward pass. With g = ∂L/∂y (N, U):
    /// ```
    /// ∂L/∂μ  = xᵀ g                         (D, U)
    /// ∂L/∂ΔW = (x ∘ s)ᵀ (g ∘ r)              (D, U)   Flipout
    /// ∂L/∂b  = Σₙ gₙ                        (U)
    /// ∂L/∂x  = g μᵀ + ((g ∘ r) ΔWᵀ) ∘ s      (N, D)
    /// ∂L/∂ρ  = ∂L/∂ΔW ∘ ε ∘ sigmoid(ρ)       (caller: ΔW = softplus(ρ) ∘ ε)
    /// ```
    /// Outputs are overwritten, weight gradients in (D, U) order; `dx` (row stride `strideX`) may
    /// be nil; with `reluMasked` the input x is a ReLU output and `dx` receives ∂L/∂x ∘ 1[x > 0],
    /// the gradient before the ReLU.
    public func backward(n: Int, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, strideX: Int,
                         weights: PackedDenseWeights, signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                         gradMu: UnsafeMutablePointer<Float>, gradDelta: UnsafeMutablePointer<Float>?,
                         gradBias: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?, reluMasked: Bool = false,
                         workspace ws: DenseWorkspace) {
        precondition(n <= ws.capacity)
        ActiveKernels.denseBackward(n: n, x: x, strideX: strideX, inputs: inputs, units: units, dy: dy,
                                    a: weights.a.pointer, b: weights.b?.pointer, signIn: signIn, signOut: signOut,
                                    gradA: ws.gradA.pointer, gradB: gradDelta == nil ? nil : ws.gradB.pointer,
                                    gradBias: gradBias, dx: dx, reluMasked: reluMasked, scratch: ws.scratch.pointer)
        // (Ub, D) → (D, U), the parameter vector's order.
        ActiveKernels.untransposeWeights(ws.gradA.pointer, inputs: inputs, units: units, gradMu)
        if let gradDelta { ActiveKernels.untransposeWeights(ws.gradB.pointer, inputs: inputs, units: units, gradDelta) }
    }
}

/// The deterministic twin of ``FlipoutDense``: the same layer called without a perturbation.
public typealias Dense = FlipoutDense
