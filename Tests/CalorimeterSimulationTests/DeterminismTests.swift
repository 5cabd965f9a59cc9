// Reproducibility (README, 'Same seed, same bytes'): same seed → identical output whatever the thread
// count; different seeds differ; a class's events do not depend on which other classes run.
import CalorimeterSimulation
import Foundation
import StudyData
import StudyRandom
import Testing

@Suite("Determinism")
struct DeterminismTests {
    func generate(seed: UInt64, threads: Int, labels: [Int] = Array(0 ..< 10), n: Int = 60) -> EventBatch {
        EventGenerator(simulator: EventSimulator(), seed: seed, threads: threads).generate(labels: labels, perClass: n)
    }

    @Test("same seed → identical HDF5 bytes with 1 and 2 threads; different seeds differ")
    func threadsAndSeeds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calobnn-det-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [Data] = []
        for (seed, threads) in [(UInt64(42), 1), (42, 2), (43, 2)] {
            let batch = generate(seed: seed, threads: threads)
            let prov = DatasetProvenance(classNames: EventRegistry.study.classes.map(\.name), seed: seed,
                                         mode: "total", noise: false, gunDistanceMM: 1000, gunEnergyGeV: 20)
            let path = dir.appendingPathComponent("s\(seed)-t\(threads).h5").path
            try CaloDataset(batch: batch, provenance: prov).write(to: path)
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(files[0] == files[1])
        #expect(files[0] != files[2])
    }

    @Test("a class's events are the same alone or among all classes")
    func classIndependence() {
        let all = generate(seed: 9, threads: 2)
        let alone = generate(seed: 9, threads: 1, labels: [4])
        let nCells = CalorimeterGeometry.caloGAN.totalCells
        #expect(Array(all.cells[4 * 60 * nCells ..< 5 * 60 * nCells]) == alone.cells)
    }
}

@Suite("Datasets")
struct DatasetTests {
    @Test("write → read round trip, and bad files fail with a message naming file and dataset")
    func roundTripAndErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calobnn-io-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let batch = EventGenerator(simulator: EventSimulator(), seed: 1, threads: 2).generate(labels: [0, 8, 9], perClass: 10)
        let prov = DatasetProvenance(classNames: EventRegistry.study.classes.map(\.name), seed: 1, mode: "total",
                                     noise: false, gunDistanceMM: 1000, gunEnergyGeV: 20)
        let path = dir.appendingPathComponent("ok.h5").path
        try CaloDataset(batch: batch, provenance: prov).write(to: path)
        let back = try CaloDataset.read(from: path)
        #expect(back.batch.cells == batch.cells && back.batch.label == batch.label && back.batch.overflow == batch.overflow)
        #expect(back.provenance == prov)

        // Truncated file.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = dir.appendingPathComponent("truncated.h5").path
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect { try CaloDataset.read(from: truncated) } throws: { "\($0)".contains("truncated.h5") }

        // Wrong shape.
        let wrong = dir.appendingPathComponent("wrong.h5").path
        let f = try HDF5File.create(wrong)
        try f.write("label", [Int32](repeating: 0, count: 4), shape: [4])
        try f.write("layer_0", [Float](repeating: 0, count: 4 * 3 * 95), shape: [4, 3, 95])
        try f.setAttribute("class_names", "photon")
        #expect { try CaloDataset.read(from: wrong) } throws: { "\($0)".contains("wrong.h5") && "\($0)".contains("layer_0") }

        // NaN cell.
        var nanBatch = batch
        nanBatch.cells[17] = .nan
        let nanPath = dir.appendingPathComponent("nan.h5").path
        try CaloDataset(batch: nanBatch, provenance: prov).write(to: nanPath)
        #expect { try CaloDataset.read(from: nanPath) } throws: { "\($0)".contains("non-finite") && "\($0)".contains("layer_0") }

        // Label out of range.
        var badLabel = batch
        badLabel.label[3] = 99
        let labelPath = dir.appendingPathComponent("label.h5").path
        try CaloDataset(batch: badLabel, provenance: prov).write(to: labelPath)
        #expect { try CaloDataset.read(from: labelPath) } throws: { "\($0)".contains("'label'") }

        // Unwritable destination leaves nothing behind.
        #expect(throws: HDF5Error.self) { try CaloDataset(batch: batch, provenance: prov).write(to: "/nonexistent-dir/x.h5") }
    }

    @Test("the worker pool: every shard once per region over many regions, nested and concurrent calls, any thread count")
    func workerPool() {
        // Many short regions in a row (the pattern of a training step): every shard runs exactly
        // once, on the worker the static schedule names.
        for threads in [1, 2, 3] {
            let count = 7
            var hits = [Int](repeating: 0, count: count), owner = hits
            hits.withUnsafeMutableBufferPointer { h in
                owner.withUnsafeMutableBufferPointer { o in
                    for _ in 0 ..< 2000 {
                        Parallel.forEachShard(count, threads: threads) { s, w in h[s] += 1; o[s] = w }
                    }
                }
            }
            #expect(hits == [Int](repeating: 2000, count: count))
            #expect(owner == (0 ..< count).map { $0 % min(threads, count) })
        }
        // A region opened inside a region runs its parts on the calling thread, all of them.
        var inner = [Int](repeating: 0, count: 4 * 5)
        inner.withUnsafeMutableBufferPointer { p in
            Parallel.forEachShard(4, threads: 2) { s, _ in
                Parallel.forEachShard(5, threads: 2) { t, _ in p[s * 5 + t] += 1 }
            }
        }
        #expect(inner == [Int](repeating: 1, count: 20))
        // Two threads opening regions at once: each region completes, whichever gets the pool.
        let sums = UnsafeMutablePointer<Int>.allocate(capacity: 2 * 64)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: 2 * 64)
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for _ in 0 ..< 500 {
                Parallel.forEachShard(64, threads: 2) { s, _ in sums[caller * 64 + s] += s }
            }
        }
        #expect((0 ..< 128).allSatisfy { sums[$0] == 500 * ($0 % 64) })
        // The dynamic schedule takes every item once.
        let items = AtomicCounter()
        Parallel.forEachItem(1000, threads: 2) { _ in items.add(1) }
        #expect(items.add(0) == 1000)
    }
}
