// The mean-field Gaussian posterior of study §2: q(w) = Πᵢ N(wᵢ; μᵢ, σᵢ²), σ = softplus(ρ).
// Initialisation as TensorFlow Probability's Flipout layers (study §4 [ours]):
// μ₀ ~ N(0, 0.1²), ρ₀ ~ N(−3, 0.1²).
import CNumerics
import Foundation

/// The softplus link σ = log(1 + e^ρ) between the free parameter ρ and the posterior's
/// standard deviation σ > 0, and its derivative dσ/dρ = sigmoid(ρ).
public enum Softplus {
    /// The posterior standard deviation σ = softplus(ρ) = log(1 + e^ρ) > 0 for one free
    /// parameter ρ (dimensionless, like the weights):
    /// ```
    /// softplus(ρ) = max(ρ, 0) + log1p(e^{−|ρ|})
    /// ```
    /// exact in float for all ρ: no overflow for ρ ≫ 0, no cancellation for ρ ≪ 0.
    @inline(__always) public static func value(_ rho: Float) -> Float {
        max(rho, 0) + log1pf(expf(-abs(rho)))
    }

    /// The derivative dσ/dρ = sigmoid(ρ) ∈ (0, 1) of ``value(_:)``, which chains ∂L/∂σ to ∂L/∂ρ:
    /// ```
    /// sigmoid(ρ) = 1/(1 + e^{−ρ})   (ρ ≥ 0),   e^ρ/(1 + e^ρ)   (ρ < 0)
    /// ```
    /// both branches evaluate e^{−|ρ|} ≤ 1, so neither overflows.
    @inline(__always) public static func derivative(_ rho: Float) -> Float {
        let e = expf(-abs(rho))
        return rho >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    /// Both at once from one exponential: (σ, dσ/dρ).
    @inline(__always) public static func valueAndDerivative(_ rho: Float) -> (sigma: Float, dSigma: Float) {
        let e = expf(-abs(rho))
        let s = max(rho, 0) + log1pf(e)
        let d = rho >= 0 ? 1 / (1 + e) : e / (1 + e)
        return (s, d)
    }

    /// The inverse, ρ = log(e^σ − 1) = σ + log(1 − e^{−σ}), for σ > 0.
    public static func inverse(_ sigma: Float) -> Float {
        sigma + logf(-expm1f(-sigma))
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
