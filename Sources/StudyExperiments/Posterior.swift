// How far a trained BNN's posterior moved from its prior: per Bayesian parameter block, the
// median posterior σ, its ratio to the prior's σ (for a Gaussian prior), and the fraction of
// weights whose mean is within 2σ of zero (|μ| < 2σ: consistent with zero). A posterior that is
// "mostly prior" — σ/σ_prior near 1, most weights within 2σ of zero — makes the output σ a
// statement about the prior and the training budget more than about the data.
import BayesianNetworks
import Foundation
import StudyData

/// The posterior summary of one parameter block.
public struct PosteriorBlockSummary: Sendable, Equatable {
    /// The block ("conv0.kernel", "dense.kernel", …).
    public var name: String
    /// Number of weights.
    public var count: Int
    /// Median posterior σ = softplus(ρ).
    public var medianSigma: Double
    /// Median σ / σ_prior (NaN for a non-Gaussian prior).
    public var medianSigmaOverPrior: Double
    /// Fraction of weights with |μ| < 2σ.
    public var withinTwoSigma: Double
}

/// Posterior summaries of a trained model.
public enum PosteriorSummary {
    /// One summary per Bayesian block of `state`'s best network, and its KL divergence to the
    /// prior per training example (the KL term of the ELBO, KL/N).
    public static func of(_ state: TrainingState) throws -> (blocks: [PosteriorBlockSummary], klPerExample: Double) {
        let net = try state.bestNetwork()
        let prior = try priorNamed(state.priorName)
        let priorSigma = (prior as? GaussianPrior)?.sigmaPrior ?? .nan
        var out: [PosteriorBlockSummary] = []
        for block in net.blocks where block.isBayesian {
            let sigma = block.range.map { Double(Softplus.value(net.rho[$0])) }
            let within = block.range.filter { abs(Double(net.mu[$0])) < 2 * Double(Softplus.value(net.rho[$0])) }.count
            let sorted = sigma.sorted()
            let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : 0.5 * (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2])
            out.append(PosteriorBlockSummary(name: block.name, count: block.count, medianSigma: median,
                                             medianSigmaOverPrior: median / priorSigma,
                                             withinTwoSigma: Double(within) / Double(block.count)))
        }
        return (out, net.klDivergence() / Double(max(state.trainingCount, 1)))
    }
}
