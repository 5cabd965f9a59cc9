// Fully connected layers of study §4: the Flipout dense layer (Wen et al. 2018,
// arXiv:1803.04386, eq. 4) and its deterministic twin, on `cblas_sgemm`.
//
// Shape legend: N = examples, D = inputs, U = outputs (units).
// x (N, D); weights (D, U); signIn (N, D); signOut (N, U); y (N, U).

/// Scratch buffers of one dense layer for up to `capacity` examples.
public final class DenseWorkspace: @unchecked Sendable {
    /// x ∘ signIn, (N, D).
    public let xSigned: FloatBuffer
    /// (x∘s) ΔW, then ∂L/∂y ∘ r in the backward pass, (N, U).
    public let pert: FloatBuffer
    /// ((∂L/∂y ∘ r) ΔWᵀ), (N, D).
    public let dxPert: FloatBuffer
    /// Example capacity.
    public let capacity: Int
    /// Buffers for `layer` and up to `capacity` examples.
    public init(layer: FlipoutDense, capacity: Int) {
        self.capacity = capacity
        xSigned = FloatBuffer(count: capacity * layer.inputs)
        pert = FloatBuffer(count: capacity * layer.units)
        dxPert = FloatBuffer(count: capacity * layer.inputs)
    }
}

/// A Flipout dense layer:
/// ```
/// Wₙ = μ + ΔW ∘ (sₙ rₙᵀ),   ΔW = σ ∘ ε,  ε ~ N(0, 1),  σ = softplus(ρ)
/// yₙ = xₙᵀ μ + ((xₙ ∘ sₙ)ᵀ ΔW) ∘ rₙ + b,   sₙ ∈ {±1}^D, rₙ ∈ {±1}^U
/// ```
/// one ΔW per forward pass, shared by the batch; signs per example and unit.
public struct FlipoutDense: Sendable {
    /// D, the number of inputs.
    public let inputs: Int
    /// U, the number of outputs.
    public let units: Int
    /// A D → U layer.
    public init(inputs: Int, units: Int) { self.inputs = inputs; self.units = units }
    /// D·U.
    public var weightCount: Int { inputs * units }

    /// Flipout forward (pointer level): x (N, D), mu/delta (D, U), bias (U), signIn (N, D),
    /// signOut (N, U) → y (N, U). Keeps x∘s in the workspace for the backward pass.
    public func forward(n: Int, x: UnsafePointer<Float>, mu: UnsafePointer<Float>, delta: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>, signIn: UnsafePointer<Float>, signOut: UnsafePointer<Float>,
                        y: UnsafeMutablePointer<Float>, workspace ws: DenseWorkspace) {
        let d = inputs, u = units, xs = ws.xSigned.pointer, pert = ws.pert.pointer
        precondition(n <= ws.capacity)
        for i in 0 ..< n * d { xs[i] = x[i] * signIn[i] }
        Kernels.sgemm(m: n, n: u, k: d, x, lda: d, mu, ldb: u, y, ldc: u)
        Kernels.sgemm(m: n, n: u, k: d, xs, lda: d, delta, ldb: u, pert, ldc: u)
        for e in 0 ..< n {
            for j in 0 ..< u { y[e * u + j] += pert[e * u + j] * signOut[e * u + j] + bias[j] }
        }
    }

    /// Flipout backward (pointer level), after ``forward(n:x:mu:delta:bias:signIn:signOut:y:workspace:)``
    /// with the same workspace. With g = ∂L/∂y (N, U):
    /// ```
    /// ∂L/∂μ  = xᵀ g                         (D, U)
    /// ∂L/∂ΔW = (x ∘ s)ᵀ (g ∘ r)              (D, U)
    /// ∂L/∂b  = Σₙ gₙ                        (U)
    /// ∂L/∂x  = g μᵀ + ((g ∘ r) ΔWᵀ) ∘ s      (N, D)
    /// ∂L/∂ρ  = ∂L/∂ΔW ∘ ε ∘ sigmoid(ρ)       (caller: ΔW = softplus(ρ) ∘ ε)
    /// ```
    /// Outputs are overwritten; `dx` may be nil.
    public func backward(n: Int, dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                         mu: UnsafePointer<Float>, delta: UnsafePointer<Float>,
                         signIn: UnsafePointer<Float>, signOut: UnsafePointer<Float>,
                         gradMu: UnsafeMutablePointer<Float>, gradDelta: UnsafeMutablePointer<Float>,
                         gradBias: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                         workspace ws: DenseWorkspace) {
        let d = inputs, u = units, gr = ws.pert.pointer
        for i in 0 ..< n * u { gr[i] = dy[i] * signOut[i] }
        Kernels.columnSums(dy, rows: n, cols: u, gradBias)
        Kernels.sgemm(transA: true, m: d, n: u, k: n, x, lda: d, dy, ldb: u, gradMu, ldc: u)
        Kernels.sgemm(transA: true, m: d, n: u, k: n, ws.xSigned.pointer, lda: d, gr, ldb: u, gradDelta, ldc: u)
        if let dx {
            let t = ws.dxPert.pointer
            Kernels.sgemm(transB: true, m: n, n: d, k: u, gr, lda: u, delta, ldb: u, t, ldc: d)
            Kernels.sgemm(transB: true, m: n, n: d, k: u, dy, lda: u, mu, ldb: u, dx, ldc: d)
            for i in 0 ..< n * d { dx[i] += t[i] * signIn[i] }
        }
    }

    /// Plain dense y = x W + b: the deterministic twin, and the prediction pass with sampled
    /// weights. x (N, D), weight (D, U), bias (U), y (N, U).
    public func forwardPlain(n: Int, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let d = inputs, u = units
        Kernels.sgemm(m: n, n: u, k: d, x, lda: d, weight, ldb: u, y, ldc: u)
        for e in 0 ..< n { for j in 0 ..< u { y[e * u + j] += bias[j] } }
    }

    /// Backward of ``forwardPlain(n:x:weight:bias:y:)``:
    /// ```
    /// ∂L/∂W = xᵀ g,   ∂L/∂b = Σₙ gₙ,   ∂L/∂x = g Wᵀ
    /// ```
    public func backwardPlain(n: Int, dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              gradWeight: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>,
                              dx: UnsafeMutablePointer<Float>?) {
        let d = inputs, u = units
        Kernels.columnSums(dy, rows: n, cols: u, gradBias)
        Kernels.sgemm(transA: true, m: d, n: u, k: n, x, lda: d, dy, ldb: u, gradWeight, ldc: u)
        if let dx { Kernels.sgemm(transB: true, m: n, n: d, k: u, dy, lda: u, weight, ldb: u, dx, ldc: d) }
    }
}

/// The deterministic twin of ``FlipoutDense``: its `forwardPlain`/`backwardPlain` on the same kernels.
public typealias Dense = FlipoutDense
