// The mean-field Gaussian posterior of study §2: q(w) = Πᵢ N(wᵢ; μᵢ, σᵢ²), σ = softplus(ρ).
// Initialisation as TensorFlow Probability's Flipout layers (study §4 [ours]):
// μ₀ ~ N(0, 0.1²), ρ₀ ~ N(−3, 0.1²).
import NetworkKernels
import PortableMath

/// The softplus link σ = log(1 + e^ρ) between the free parameter ρ and the posterior's
/// standard deviation σ > 0, and its derivative dσ/dρ = sigmoid(ρ).
public enum Softplus {
    /// The posterior standard deviation σ = softplus(ρ) = log(1 + e^ρ) > 0 for one free
    /// parameter ρ (dimensionless, like the weights):
    /// ```
    /// softplus(ρ) = max(ρ, 0) + log1p(e^{−|ρ|})
    /// ```
    /// no overflow for ρ ≫ 0, no cancellation for ρ ≪ 0; exp and log1p from `PortableMath`
    /// (the same bits on every CPU). Below ρ ≈ −87 the result is clamped at ≈ 1.2·10⁻³⁸.
    @inline(__always) public static func value(_ rho: Float) -> Float {
        let (s, _) = valuesAndDerivatives(SIMD8(repeating: rho))
        return s[0]
    }

    /// The derivative dσ/dρ = sigmoid(ρ) ∈ (0, 1) of ``value(_:)``, which chains ∂L/∂σ to ∂L/∂ρ:
    /// ```
    /// sigmoid(ρ) = 1/(1 + e^{−ρ})   (ρ ≥ 0),   e^ρ/(1 + e^ρ)   (ρ < 0)
    /// ```
    /// both branches evaluate e^{−|ρ|} ≤ 1, so neither overflows.
    @inline(__always) public static func derivative(_ rho: Float) -> Float {
        let (_, d) = valuesAndDerivatives(SIMD8(repeating: rho))
        return d[0]
    }

    /// Both, (σ, dσ/dρ), on eight lanes from one exponential e = e^{−|ρ|} (the code is
    /// NetworkKernels' `Kernels.softplus`, compiled into both kernel builds).
    @inline(__always)
    public static func valuesAndDerivatives(_ rho: SIMD8<Float>) -> (sigma: SIMD8<Float>, dSigma: SIMD8<Float>) {
        NetworkKernels.Kernels.softplus(rho)
    }

    /// σ and dσ/dρ of `count` values ρ into `sigma` and `dSigma` (eight at a time; the tail runs
    /// the same lanes, so every element gets the bits of ``value(_:)`` and ``derivative(_:)``),
    /// on the active kernel build.
    public static func valuesAndDerivatives(_ rho: UnsafePointer<Float>, count: Int,
                                            _ sigma: UnsafeMutablePointer<Float>, _ dSigma: UnsafeMutablePointer<Float>) {
        ActiveKernels.softplus(rho, count: count, sigma, dSigma)
    }

    /// The inverse, ρ = log(e^σ − 1) = σ + log(1 − e^{−σ}), for σ > 0.
    public static func inverse(_ sigma: Float) -> Float {
        sigma + PortableMath.log(-PortableMath.expm1(-sigma))
    }
}

/// How the posterior's parameters are initialised (TFP's defaults unless changed).
public struct PosteriorInit: Sendable, Equatable {
    /// Standard deviation of μ₀ ~ N(0, muStddev²). TFP: 0.1.
    public var muStddev: Float = 0.1
    /// Mean of ρ₀ ~ N(rhoMean, rhoStddev²). TFP: −3 (σ₀ ≈ 0.049).
    public var rhoMean: Float = -3
    /// Standard deviation of ρ₀. TFP: 0.1.
    public var rhoStddev: Float = 0.1
    /// The defaults above.
    public init() {}
}
