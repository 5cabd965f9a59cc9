// The network's one forward (and backward) pass over a shard of examples (study §4). Training
// (`gradients`), the validation estimate (`evaluate`), the mean network (`logits`) and
// Monte-Carlo prediction (`predict`) all run through ``CaloNetwork/runShard(n:x:labels:firstIndex:signs:pass:gradScale:backward:ws:shard:)``.
//
// Shape legend: S = shard size (≤ 64 examples), nb = branches (3), F = filters, D = 4032
// features, U = classes. cells (S, 504); features (S, D); logits (S, U).

/// Per-worker scratch for one shard of up to `capacity` examples.
final class ShardWorkspace {
    let conv: [ConvWorkspace]
    let dense: DenseWorkspace
    let features, dFeatures, logits, dLogits: FloatBuffer
    /// Flipout signs: conv factors (S, nb·F), dense input (S, D) and output (S, U) signs.
    let convFactor, denseSignIn, denseSignOut: FloatBuffer
    let rng = NetworkRandom(seed: 0)
    init(network: CaloNetwork, capacity s: Int) {
        let cfg = network.config
        conv = network.convs.map { ConvWorkspace(layer: $0, capacity: s) }
        dense = DenseWorkspace(layer: network.dense, capacity: s)
        features = FloatBuffer(count: s * cfg.featureCount); dFeatures = FloatBuffer(count: s * cfg.featureCount)
        logits = FloatBuffer(count: s * cfg.classes); dLogits = FloatBuffer(count: s * cfg.classes)
        convFactor = FloatBuffer(count: s * cfg.grids.count * cfg.filters)
        denseSignIn = FloatBuffer(count: s * cfg.featureCount); denseSignOut = FloatBuffer(count: s * cfg.classes)
    }
}

extension CaloNetwork {
    /// Forward one shard of n examples (cells (n, 504)) through `pass` to logits (left in
    /// `ws.logits`); with `labels`, also the cross-entropy; with `backward`, the shard's ∂/∂μ
    /// (and ∂/∂ΔW for a Flipout pass) into its gradient buffers `shard`.
    ///
    /// - Parameters:
    ///   - firstIndex: index of the shard's first example within its minibatch: the Flipout
    ///     signs of example i come from stream (…, `signs`, i), so they do not depend on sharding.
    ///   - signs: the key of the Flipout signs (a Flipout pass only).
    ///   - gradScale: ∂loss/∂ℓₙ (1/B for the minibatch mean).
    /// - Returns: Σ cross-entropy over the shard and its number of correct argmaxes.
    func runShard(n: Int, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>?, firstIndex: Int, signs: NoiseKey?,
                  pass: PassWeights, gradScale: Float, backward: Bool, ws: ShardWorkspace, shard: Int) -> (Double, Int) {
        let cfg = config, nb = cfg.grids.count, f = cfg.filters, fc = cfg.featureCount, cells = cfg.cellsPerExample
        let flipout = pass.isFlipout
        if flipout {
            let key = signs!, saltHash = SeedDerivation.hash(key.salt)
            for e in 0 ..< n { drawSigns(key, saltHash: saltHash, index: firstIndex + e, local: e, ws: ws) }
        }
        let w = UnsafePointer(pass.values.pointer), del = pass.delta.map { UnsafePointer($0.pointer) }
        let feat = ws.features.pointer, factorStride = nb * f
        // Branches → features (n, D), ReLU inside the layer.
        var cellOff = 0, featOff = 0
        for (b, conv) in convs.enumerated() {
            let (wOff, bOff) = convOffsets(b)
            conv.forward(n: n, x: x + cellOff, strideX: cells, mu: w + wOff, delta: del.map { $0 + wOff },
                         factor: flipout ? UnsafePointer(ws.convFactor.pointer + b * f) : nil, factorStride: factorStride,
                         bias: w + bOff, y: feat + featOff, strideY: fc, relu: true, workspace: ws.conv[b])
            cellOff += conv.height * conv.width
            featOff += conv.outputCount
        }
        let (dW, dB) = denseOffsets
        let signIn = flipout ? UnsafePointer(ws.denseSignIn.pointer) : nil
        let signOut = flipout ? UnsafePointer(ws.denseSignOut.pointer) : nil
        dense.forward(n: n, x: feat, strideX: fc, weights: pass.dense, bias: w + dB, signIn: signIn, signOut: signOut,
                      y: ws.logits.pointer)
        guard let labels else { return (0, 0) }
        let (ce, correct) = Softmax.crossEntropy(ws.logits.pointer, labels: labels, n: n, classes: cfg.classes,
                                                        gradScale: gradScale, backward ? ws.dLogits.pointer : nil)
        guard backward else { return (ce, correct) }
        let gMu = shardGradMu[shard].pointer, gDel = shardGradDelta[shard].pointer
        let dFeat = ws.dFeatures.pointer
        // Dense backward, with the branches' ReLU folded into the feature gradient.
        dense.backward(n: n, dy: ws.dLogits.pointer, x: feat, strideX: fc, weights: pass.dense, signIn: signIn,
                       signOut: signOut, gradMu: gMu + dW, gradDelta: flipout ? gDel + dW : nil, gradBias: gMu + dB,
                       dx: dFeat, reluMasked: true, workspace: ws.dense)
        featOff = 0
        for (b, conv) in convs.enumerated() {
            let (wOff, bOff) = convOffsets(b)
            conv.backward(n: n, dy: dFeat + featOff, strideDY: fc,
                          factor: flipout ? UnsafePointer(ws.convFactor.pointer + b * f) : nil, factorStride: factorStride,
                          gradMu: gMu + wOff, gradDelta: flipout ? gDel + wOff : nil, gradBias: gMu + bOff,
                          workspace: ws.conv[b])
            featOff += conv.outputCount
        }
        return (ce, correct)
    }

    /// Run `body(shard, n, first, worker)` over the shards of `count` examples on `threads`
    /// workers (shard boundaries independent of `threads`), collecting each shard's
    /// (Σ cross-entropy, correct) — summed in shard order by the callers.
    func forEachShard(count: Int, threads: Int, gradientShards: Bool,
                      _ body: (_ shard: Int, _ n: Int, _ first: Int, _ ws: ShardWorkspace) -> (Double, Int)) -> [(Double, Int)] {
        let s = config.shardSize, shards = (count + s - 1) / s
        ensureWorkspaces(threads: threads, shards: gradientShards ? shards : 0)
        var partial = [(Double, Int)](repeating: (0, 0), count: shards)
        partial.withUnsafeMutableBufferPointer { part in
            let partP = part.baseAddress!
            Parallel.forEachShard(shards, threads: threads) { sh, w in
                let lo = sh * s
                partP[sh] = body(sh, min(s, count - lo), lo, workspaces[w])
            }
        }
        return partial
    }
}
