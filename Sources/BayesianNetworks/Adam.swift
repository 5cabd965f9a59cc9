// Adam (Kingma & Ba 2015, arXiv:1412.6980, Algorithm 1) in Keras' form (ε outside the square
// root, bias correction folded into the step size) — the optimiser of study §4 [ours: Keras
// defaults lr 10⁻³, β₁ 0.9, β₂ 0.999, ε 10⁻⁷].
import PortableMath

/// Adam's hyper-parameters and its state for one flat parameter vector.
public struct Adam: Sendable, Equatable {
    /// Learning rate α.
    public var learningRate: Float = 1e-3
    /// Decay of the first moment, β₁.
    public var beta1: Float = 0.9
    /// Decay of the second moment, β₂.
    public var beta2: Float = 0.999
    /// ε (Keras' default 10⁻⁷).
    public var epsilon: Float = 1e-7
    /// First moments m, (P).
    public var m: [Float]
    /// Second moments v, (P).
    public var v: [Float]
    /// Steps taken t.
    public var step: Int = 0

    /// Zero state for `count` parameters.
    public init(count: Int, learningRate: Float = 1e-3) {
        m = [Float](repeating: 0, count: count); v = m; self.learningRate = learningRate
    }

    /// One update, θ ← θ − αₜ m / (√v + ε):
    /// ```
    /// t ← t + 1
    /// m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
    /// αₜ = α √(1 − β₂ᵗ) / (1 − β₁ᵗ)
    /// ```
    /// Elementwise, so chunking over `threads` cannot change the result. A zero gradient on a
    /// fresh moment leaves θ unchanged (m = v = 0 ⇒ step 0), which keeps unused ρ entries fixed.
    public mutating func update(_ theta: inout [Float], gradient g: [Float], threads: Int = 1) {
        let c = beginStep()
        m.withUnsafeMutableBufferPointer { mB in
            v.withUnsafeMutableBufferPointer { vB in
                theta.withUnsafeMutableBufferPointer { thB in
                    g.withUnsafeBufferPointer { gB in
                        let mP = mB.baseAddress!, vP = vB.baseAddress!, th = thB.baseAddress!, gP = gB.baseAddress!
                        Parallel.forEachChunk(thB.count, chunk: 4096, threads: threads) { range, _ in
                            c.apply(range, gradient: gP, theta: th, m: mP, v: vP)
                        }
                    }
                }
            }
        }
    }

    /// Start step t + 1: count it and return its coefficients (``Coefficients/apply(_:_:theta:m:v:)``
    /// then updates each parameter; the fused training step calls it per element).
    mutating func beginStep() -> Coefficients {
        step += 1
        // βᵗ by repeated squaring (PortableMath.power): libm's pow may differ between CPUs.
        let alpha = Float(Double(learningRate) * (1 - PortableMath.power(Double(beta2), step)).squareRoot()
                          / (1 - PortableMath.power(Double(beta1), step)))
        return Coefficients(alpha: alpha, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// One step's constants, αₜ, β₁, β₂, ε.
    struct Coefficients {
        let alpha: Float, beta1: Float, beta2: Float, epsilon: Float
        /// Update the parameters `range` with gradient `g` (and write the new θ to `copy` too, if
        /// given): the formulas of ``Adam/update(_:gradient:threads:)``, eight lanes at a time, in
        /// the network kernels (the AVX2 build where the CPU has it) — lane by lane the same IEEE
        /// operations as a one-at-a-time loop (square root and division are correctly rounded in
        /// SIMD as in scalar code), so every element gets the same bits, whatever the chunking.
        @inline(__always)
        func apply(_ range: Range<Int>, gradient g: UnsafePointer<Float>, theta: UnsafeMutablePointer<Float>,
                   m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, copy: UnsafeMutablePointer<Float>? = nil) {
            ActiveKernels.adam(range.lowerBound, range.upperBound, gradient: g, theta: theta, m: m, v: v, copy: copy,
                               alpha: alpha, beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
    }
}
