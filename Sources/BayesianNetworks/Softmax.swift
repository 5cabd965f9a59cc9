// Softmax and the softmax cross-entropy of study §2/§4, on `PortableMath`'s exp and log so
// that losses, gradients and predicted probabilities have the same bits on every CPU.
//
// Shape legend: N = examples, U = classes. logits, probabilities, gradients (N, U).

/// Softmax probabilities and the cross-entropy loss with its gradient.
public enum Softmax {

    /// Softmax of one row of U logits into `p` (U): eⱼ = exp(zⱼ − max z) (`PortableMath`),
    /// s = Σⱼ eⱼ in index order, pⱼ = eⱼ / s. Returns (max z, s, the index of the first maximum).
    @inline(__always)
    static func softmaxRow(_ z: UnsafePointer<Float>, classes u: Int, _ p: UnsafeMutablePointer<Float>)
        -> (max: Float, sum: Float, argmax: Int) {
        var m = z[0], arg = 0
        for j in 1 ..< u where z[j] > m { m = z[j]; arg = j }
        var j0 = 0
        while j0 < u {
            var v = SIMD8<Float>(repeating: 0)
            for l in 0 ..< min(8, u - j0) { v[l] = z[j0 + l] - m }
            let e = PortableMath.exp(v)
            for l in 0 ..< min(8, u - j0) { p[j0 + l] = e[l] }
            j0 += 8
        }
        var s: Float = 0
        for j in 0 ..< u { s += p[j] }
        for j in 0 ..< u { p[j] = p[j] / s }
        return (m, s, arg)
    }

    /// Softmax probabilities, row by row, of logits (N, U) into `prob` (N, U), numerically
    /// stable (the row maximum is subtracted before exponentiating).
    public static func probabilities(_ logits: UnsafePointer<Float>, n: Int, classes u: Int,
                               _ prob: UnsafeMutablePointer<Float>) {
        for e in 0 ..< n { _ = softmaxRow(logits + e * u, classes: u, prob + e * u) }
    }

    /// Softmax cross-entropy of logits (N, U) against labels (N), and its gradient.
    ///
    /// ```
    /// ℓₙ = −log softmax(zₙ)_{yₙ} = log Σⱼ e^{zₙⱼ − m} + m − zₙ,yₙ      (m = maxⱼ zₙⱼ)
    /// ∂ℓₙ/∂zₙⱼ = softmax(zₙ)ⱼ − 1[j = yₙ]
    /// ```
    /// - Parameters:
    ///   - logits: z, (N, U), row-major.
    ///   - labels: yₙ ∈ 0..<U, (N).
    ///   - n: N, the number of rows.
    ///   - u: U, the number of classes.
    ///   - gradScale: the gradient written to `dLogits` (N, U) is `gradScale · ∂ℓₙ/∂zₙ`
    ///     (1/B for the mean over a minibatch of B examples split into shards).
    ///   - dLogits: out, gradScale · ∂ℓₙ/∂zₙ, (N, U), overwritten; nil for the loss alone.
    /// - Returns: Σₙ ℓₙ (Double, summed in example order) and the number of rows whose argmax
    ///   equals the label.
    @discardableResult
    public static func crossEntropy(_ logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                           n: Int, classes u: Int, gradScale: Float,
                                           _ dLogits: UnsafeMutablePointer<Float>?) -> (loss: Double, correct: Int) {
        var total = 0.0, correct = 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: u) { pb in
            let p = pb.baseAddress!
            for e in 0 ..< n {
                let z = logits + e * u, y = Int(labels[e])
                let (m, s, arg) = softmaxRow(z, classes: u, p)
                if arg == y { correct += 1 }
                let logSum = PortableMath.log(s) + m
                total += Double(logSum - z[y])
                if let d = dLogits {
                    let g = d + e * u
                    for j in 0 ..< u { g[j] = gradScale * p[j] }
                    g[y] -= gradScale
                }
            }
        }
        return (total, correct)
    }
}
