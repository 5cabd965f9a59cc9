// The training objective of study §2: the negative evidence lower bound per training example,
// estimated on a minibatch. Sources: Gal, "Uncertainty in Deep Learning" (PhD thesis,
// Cambridge 2016), eqs. 2.3–2.5 and §3.1; Blundell et al. 2015 (arXiv:1505.05424), §3.4;
// Kingma & Welling 2014 (arXiv:1312.6114), the reparameterisation trick.

/// The minimised loss, −ELBO / N_train, and how it follows from variational inference.
///
/// Step by step, with data D = {(xᵢ, yᵢ)}ᵢ₌₁..N_train and a family q_θ(w) = N(μ, softplus(ρ)²):
/// ```
/// 1. We want q_θ(w) ≈ p(w|D) = p(D|w) p(w) / p(D):  minimise KL(q_θ(w) ‖ p(w|D)).
/// 2. KL(q‖p(w|D)) = E_q[log q(w) − log p(D|w) − log p(w)] + log p(D)
///                 = −ELBO(θ) + log p(D),
///    ELBO(θ) = E_q[log p(D|w)] − KL(q_θ(w) ‖ p(w)).
///    log p(D) does not depend on θ, so min KL(q‖p(w|D)) ⇔ max ELBO(θ) (and ELBO ≤ log p(D)).
/// 3. The likelihood factorises over examples, log p(D|w) = Σᵢ log p(yᵢ|xᵢ, w), with the
///    softmax likelihood p(y = d|x, w) = softmax(f^w(x))_d:  −log p(yᵢ|xᵢ, w) = ℓᵢ(w),
///    the cross-entropy.
/// 4. Divide by N_train (does not move the optimum; makes the scale independent of N_train):
///    −ELBO/N_train = (1/N_train) Σᵢ E_q[ℓᵢ(w)] + KL(q‖p) / N_train.
/// 5. Minibatch B ⊂ D drawn uniformly:  (1/|B|) Σ_{i∈B} E_q[ℓᵢ] is unbiased for the mean over D.
/// 6. Reparameterise w = μ + σ ∘ ε, ε ~ N(0, I): E_q[ℓᵢ(w)] = E_ε[ℓᵢ(μ + σ∘ε)], estimated with
///    one draw per example — Flipout's ŵᵢ = μ + (σ∘ε) ∘ (sᵢ rᵢᵀ), which has the same marginal
///    N(μ, σ²) for every example and makes the draws of different examples nearly independent.
/// 7. The minibatch estimator we minimise:
///    loss(θ) = (1/|B|) Σ_{i∈B} ℓᵢ(ŵᵢ) + KL(q_θ ‖ p) / N_train
///    with KL in closed form (Gaussian prior) or as its one-sample estimate (other priors).
/// ```
/// Its gradient with respect to μ and ρ flows through ŵ = μ + softplus(ρ) ∘ ε ∘ (s rᵀ)
/// (see ``CaloNetwork/gradients(x:labels:count:noise:nTrain:threads:)``).
public enum ELBO {
    /// The minibatch loss of step 7: `meanCrossEntropy + kl / nTrain`, nats per example.
    @inline(__always)
    public static func minibatchLoss(meanCrossEntropy: Double, kl: Double, nTrain: Int) -> Double {
        meanCrossEntropy + kl / Double(max(nTrain, 1))
    }
}
