// Priors p(w) of the mean-field posterior and the KL term KL(q‖p) of the ELBO (study §2).
// Closed form for Gaussians; a single-sample Monte-Carlo estimate with the reparameterised
// draw w = μ + σε for any prior that only knows its log-density (Blundell et al. 2015,
// "Weight Uncertainty in Neural Networks", arXiv:1505.05424, §3.2–3.3).

import NetworkKernels
import PortableMath

/// One weight's contribution to KL(q‖p) and its gradient, q = N(μ, σ²).
public struct KLTerm: Sendable {
    /// The KL value (or its one-sample estimate), nats.
    public var value: Double
    /// ∂KL/∂μ.
    public var dMu: Double
    /// ∂KL/∂σ (the engine multiplies by dσ/dρ = sigmoid(ρ)).
    public var dSigma: Double
    /// A term from its parts.
    public init(value: Double, dMu: Double, dSigma: Double) { self.value = value; self.dMu = dMu; self.dSigma = dSigma }
}

/// A prior over every weight, factorising over weights: p(w) = Πᵢ p(wᵢ).
///
/// To add a prior, write ``klTerm(mu:sigma:epsilon:)`` — in closed form, or, by adopting
/// ``LogDensityPrior`` instead, only the log-density (the KL then comes from the
/// reparameterised sample). Nothing else in the engine needs to change: pass the prior to
/// ``CaloNetwork/init(config:prior:seed:)`` and ``Training/run(state:cells:labels:validation:prior:checkpoint:)``;
/// the command line and checkpoint files find priors by ``name`` through ``priorNamed(_:)``.
/// The worked example (a Laplace prior) is <doc:AddingAPrior>.
public protocol Prior: Sendable {
    /// A short name stored in checkpoints, e.g. `normal(1)`.
    var name: String { get }
    /// KL(N(μ, σ²) ‖ p) for one weight (or an unbiased estimate of it), with its gradient.
    /// `epsilon` is the standard-normal draw of the current forward pass, w = μ + σε, for
    /// Monte-Carlo estimates; closed forms ignore it.
    func klTerm(mu: Double, sigma: Double, epsilon: Double) -> KLTerm

    /// ``klTerm(mu:sigma:epsilon:)`` of `count` weights at once: the gradients into `dMu` and
    /// `dSigma` (count each), the sum of the values returned. The default calls
    /// ``klTerm(mu:sigma:epsilon:)`` per weight and sums in weight order; a prior may vectorise
    /// it, but every gradient element must equal the single-weight result bit for bit, and the
    /// order of the sum may depend on `count` only (so that the result does not depend on the
    /// thread count or the CPU).
    func klSum(mu: UnsafePointer<Float>, sigma: UnsafePointer<Float>, epsilon: UnsafePointer<Float>, count: Int,
               dMu: UnsafeMutablePointer<Double>, dSigma: UnsafeMutablePointer<Double>) -> Double
}

extension Prior {
    /// One ``klTerm(mu:sigma:epsilon:)`` call per weight, the values summed in weight order.
    public func klSum(mu: UnsafePointer<Float>, sigma: UnsafePointer<Float>, epsilon: UnsafePointer<Float>, count: Int,
                      dMu: UnsafeMutablePointer<Double>, dSigma: UnsafeMutablePointer<Double>) -> Double {
        var sum = 0.0
        for i in 0 ..< count {
            let t = klTerm(mu: Double(mu[i]), sigma: Double(sigma[i]), epsilon: Double(epsilon[i]))
            sum += t.value; dMu[i] = t.dMu; dSigma[i] = t.dSigma
        }
        return sum
    }
}

/// The Gaussian prior N(0, σₚ²); σₚ = 1 is the study's standard normal prior.
///
/// ```
/// KL(N(μ, σ²) ‖ N(0, σₚ²)) = log(σₚ/σ) + (σ² + μ²)/(2σₚ²) − ½
/// ∂KL/∂μ = μ/σₚ²,   ∂KL/∂σ = −1/σ + σ/σₚ²
/// ```
/// In double precision, but for log σ, which is taken in single precision (σ is a float
/// parameter; the gradient does not involve the logarithm, and a float logarithm costs a quarter
/// of a double one in the per-step pass over the 40 570 parameters).
public struct GaussianPrior: Prior {
    /// The prior's standard deviation σₚ.
    public var sigmaPrior: Double
    /// N(0, sigmaPrior²).
    public init(sigma: Double = 1) { sigmaPrior = sigma }
    /// The study's prior N(0, 1).
    public static let standardNormal = GaussianPrior(sigma: 1)
    /// `normal(σₚ)`.
    public var name: String { "normal(\(sigmaPrior))" }

    /// The closed form above; `epsilon` is not used. σ is rounded to float for its logarithm
    /// (exact for the engine's σ, which are floats). Lane 0 of the vectorised code.
    @inline(__always)
    public func klTerm(mu: Double, sigma: Double, epsilon: Double) -> KLTerm {
        let (logSigma, _) = NetworkKernels.Kernels.logSigma(SIMD8(repeating: Float(sigma)))
        let t = NetworkKernels.Kernels.gaussianKL(mu: SIMD4(repeating: mu), sigma: SIMD4(repeating: sigma),
                                                  logSigma: logSigma, logSigmaPrior: PortableMath.log(sigmaPrior),
                                                  sigmaPrior: sigmaPrior)
        return KLTerm(value: t.value[0], dMu: t.dMu[0], dSigma: t.dSigma[0])
    }

    /// Eight weights at a time on the active kernel build (`Kernels.gaussianKL`, compiled into
    /// both builds): the gradients of ``klTerm(mu:sigma:epsilon:)`` bit for bit; the values
    /// summed in four running sums (one per lane of a four-weight group), then (s₀ + s₁) + (s₂ + s₃).
    public func klSum(mu: UnsafePointer<Float>, sigma: UnsafePointer<Float>, epsilon: UnsafePointer<Float>, count: Int,
                      dMu: UnsafeMutablePointer<Double>, dSigma: UnsafeMutablePointer<Double>) -> Double {
        ActiveKernels.gaussianKL(mu: mu, sigma: sigma, count: count, sigmaPrior: sigmaPrior, dMu: dMu, dSigma: dSigma)
    }
}

/// A prior known through its log-density only. The KL comes from the reparameterised sample
/// w = μ + σε (the same ε as the forward pass):
///
/// ```
/// KL ≈ log q(w) − log p(w),   log q(w) = −log σ − ε²/2 − ½ log 2π
/// ∂/∂μ = −(log p)′(w),        ∂/∂σ = −1/σ − (log p)′(w)·ε
/// ```
/// (log q depends on μ only through w − μ = σε, which is fixed by ε: its μ-derivative is 0.)
public protocol LogDensityPrior: Prior {
    /// log p(w) and d log p/dw at one weight.
    func logDensity(_ w: Double) -> (value: Double, derivative: Double)
}

extension LogDensityPrior {
    /// The one-sample estimate log q(w) − log p(w) at w = μ + σε, with its gradient (see above).
    public func klTerm(mu: Double, sigma: Double, epsilon: Double) -> KLTerm {
        let w = mu + sigma * epsilon
        let (lp, dlp) = logDensity(w)
        let logQ = -PortableMath.log(sigma) - 0.5 * epsilon * epsilon - 0.918_938_533_204_672_7  // ½ log 2π
        return KLTerm(value: logQ - lp, dMu: -dlp, dSigma: -1 / sigma - dlp * epsilon)
    }
}

/// Blundell et al.'s scale mixture of two zero-mean Gaussians (arXiv:1505.05424, eq. 7):
/// ```
/// p(w) = π N(w; 0, σ₁²) + (1 − π) N(w; 0, σ₂²)
/// ```
/// It has no closed-form KL against a Gaussian, so it is a ``LogDensityPrior``.
public struct ScaleMixturePrior: LogDensityPrior {
    /// Mixture weight π of the first component.
    public var pi: Double
    /// Standard deviations σ₁ (wide) and σ₂ (narrow).
    public var sigma1: Double, sigma2: Double
    /// A mixture; Blundell et al. use e.g. π = ½, σ₁ = 1, σ₂ = e⁻⁶.
    public init(pi: Double = 0.5, sigma1: Double = 1, sigma2: Double = 0.002_478_752_176_666_358_4) {
        self.pi = pi; self.sigma1 = sigma1; self.sigma2 = sigma2
    }
    /// `mixture(π,σ₁,σ₂)`.
    public var name: String { "mixture(\(pi),\(sigma1),\(sigma2))" }

    /// log p(w) by log-sum-exp of the two components, and d log p/dw.
    public func logDensity(_ w: Double) -> (value: Double, derivative: Double) {
        // log-sum-exp of the two components' log-densities, for stability far in the tails.
        let l1 = PortableMath.log(pi) - PortableMath.log(sigma1) - 0.5 * (w / sigma1) * (w / sigma1) - 0.918_938_533_204_672_7
        let l2 = PortableMath.log(1 - pi) - PortableMath.log(sigma2) - 0.5 * (w / sigma2) * (w / sigma2) - 0.918_938_533_204_672_7
        let m = max(l1, l2)
        let a = PortableMath.exp(l1 - m), b = PortableMath.exp(l2 - m)
        let lp = m + PortableMath.log(a + b)
        // d/dw log p = Σₖ rₖ · (−w/σₖ²), rₖ the component responsibilities.
        let d = (a * (-w / (sigma1 * sigma1)) + b * (-w / (sigma2 * sigma2))) / (a + b)
        return (lp, d)
    }
}
