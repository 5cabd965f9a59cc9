// A fixed-size float32 buffer with a stable address, for workspaces reused across steps.

/// A heap buffer of `count` floats (zero-initialised) with a stable base address; freed on deinit.
/// Workspaces hold these so that hot loops use plain pointers with no copy-on-write checks.
public final class FloatBuffer: @unchecked Sendable {
    /// The base address.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of floats.
    public let count: Int
    /// A zeroed buffer of `count` floats.
    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    /// A buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { pointer.update(from: b, count: values.count) } }
    }
    deinit { pointer.deallocate() }
    /// The contents as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// Set every element to `v`.
    public func fill(_ v: Float) { pointer.update(repeating: v, count: count) }
}
