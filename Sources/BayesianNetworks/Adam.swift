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
        /// given), eight lanes at a time — lane by lane
        /// the same IEEE operations as the formulas above (square root and division are
        /// correctly rounded in SIMD as in scalar code), so every element gets the bits of a
        /// one-at-a-time loop, whatever the chunking.
        @inline(__always)
        func apply(_ range: Range<Int>, gradient g: UnsafePointer<Float>, theta: UnsafeMutablePointer<Float>,
                   m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, copy: UnsafeMutablePointer<Float>? = nil) {
            let oneMinusB1 = 1 - beta1, oneMinusB2 = 1 - beta2
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
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
                i += 8
            }
            while i < range.upperBound {
                let gi = g[i]
                m[i] = beta1 * m[i] + oneMinusB1 * gi
                v[i] = beta2 * v[i] + oneMinusB2 * gi * gi
                theta[i] -= alpha * m[i] / (v[i].squareRoot() + epsilon)
                copy?[i] = theta[i]
                i += 1
            }
        }
    }
}
