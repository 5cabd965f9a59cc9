// A small, safe Swift layer over the HDF5 C library: files, datasets of numbers, attributes.
// Every failure is a thrown `HDF5Error` that names the file and the object.
import CHDF5
import Foundation

/// An HDF5 failure with the file and object it concerns, printable as one line.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    /// What went wrong, including the path and dataset.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Element types this layer reads and writes.
public protocol HDF5Scalar: BitwiseCopyable {
    /// The HDF5 native type id of `Self`.
    static var hdf5Type: hid_t { get }
    /// Zero.
    static var zeroValue: Self { get }
}

extension HDF5Scalar {
    /// Whether `Self` is an integer type: reading a floating-point dataset or attribute as an
    /// integer would truncate silently (a label 2.7 read as 2), so such reads are refused.
    static var isIntegerType: Bool { Self.self is any BinaryInteger.Type }
}
extension Float: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_float() }
    public static var zeroValue: Float { 0 }
}
extension Double: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_double() }
    public static var zeroValue: Double { 0 }
}
extension Int32: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_int32() }
    public static var zeroValue: Int32 { 0 }
}
extension Int64: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_int64() }
    public static var zeroValue: Int64 { 0 }
}
extension UInt64: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_uint64() }
    public static var zeroValue: UInt64 { 0 }
}
extension UInt8: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_uint8() }
    public static var zeroValue: UInt8 { 0 }
}

/// An open HDF5 file. Closed when released; writers call ``close()`` to learn whether the
/// last buffered bytes reached the disk.
public final class HDF5File {
    /// The file's path, for messages.
    public let path: String
    let id: hid_t
    private var isOpen = true

    /// Serialises all HDF5 calls: Debian's serial HDF5 is not thread-safe.
    static let lock = NSLock()

    private init(path: String, id: hid_t) { self.path = path; self.id = id }

    /// Create (truncate) a file for writing. With `exclusive`, fail if `path` exists. Messages
    /// name `displayPath` (the destination of a temporary file), or `path`.
    public static func create(_ path: String, exclusive: Bool = false, displayPath: String? = nil) throws -> HDF5File {
        lock.lock(); defer { lock.unlock() }
        calo_h5_silence_errors()
        let shown = displayPath ?? path
        let id = H5Fcreate(path, exclusive ? calo_h5f_acc_excl() : calo_h5f_acc_trunc(), calo_h5p_default(), calo_h5p_default())
        guard id >= 0 else { throw HDF5Error("\(shown): cannot create HDF5 file (directory not writable, or disk full?)") }
        return HDF5File(path: shown, id: id)
    }

    /// Open an existing file read-only.
    public static func open(_ path: String) throws -> HDF5File {
        lock.lock(); defer { lock.unlock() }
        calo_h5_silence_errors()
        var st = stat()
        guard stat(path, &st) == 0 else { throw HDF5Error("\(path): no such file") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw HDF5Error("\(path): not a regular file") }
        guard H5Fis_hdf5(path) > 0 else { throw HDF5Error("\(path): not an HDF5 file (or truncated)") }
        let id = H5Fopen(path, calo_h5f_acc_rdonly(), calo_h5p_default())
        guard id >= 0 else { throw HDF5Error("\(path): cannot open HDF5 file (truncated or corrupt?)") }
        return HDF5File(path: path, id: id)
    }

    /// Flush and close the file, checking both: on a full disk HDF5 reports the failure here,
    /// when it writes its cached metadata, and the file must then not be used.
    public func close() throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard isOpen else { return }
        isOpen = false
        let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
        let closed = H5Fclose(id)
        guard flushed >= 0, closed >= 0 else { throw HDF5Error("\(path): cannot finish writing the file (disk full?)") }
    }

    deinit {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        if isOpen { H5Fclose(id) }
    }

    /// Whether the root group has an attribute `name`.
    public func containsAttribute(_ name: String) -> Bool {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return H5Aexists(id, name) > 0
    }

    /// A string attribute that may be absent (nil) but, if present, must be a string.
    public func optionalStringAttribute(_ name: String) throws -> String? {
        containsAttribute(name) ? try stringAttribute(name) : nil
    }

    /// A numeric attribute that may be absent (nil) but, if present, must be a number of a fitting kind.
    public func optionalNumericAttribute<T: HDF5Scalar>(_ name: String, as: T.Type = T.self) throws -> T? {
        containsAttribute(name) ? try numericAttribute(name, as: T.self) : nil
    }

    /// Whether a dataset or group `name` exists at the root.
    public func contains(_ name: String) -> Bool {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return H5Lexists(id, name, calo_h5p_default()) > 0
    }

    /// Write `values` as dataset `name` of `shape` (row-major), gzip-compressed in chunks.
    /// Every HDF5 call's status is checked, including the dataset's close (which writes it).
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int], compress: Bool = true) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard shape.allSatisfy({ $0 >= 0 }), checkedProduct(shape) == values.count else {
            throw HDF5Error("\(path): dataset '\(name)': shape \(shape) does not match \(values.count) values")
        }
        func fail(_ what: String) -> HDF5Error { HDF5Error("\(path): cannot \(what) dataset '\(name)' (disk full?)") }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        guard space >= 0 else { throw fail("describe") }
        defer { H5Sclose(space) }
        let plist = H5Pcreate(calo_h5p_dataset_create())
        guard plist >= 0 else { throw fail("set up") }
        defer { H5Pclose(plist) }
        // No modification times in the file: same inputs → byte-identical files.
        guard H5Pset_obj_track_times(plist, false) >= 0 else { throw fail("set up") }
        if compress, let first = shape.first, first > 0 {
            // Chunks of up to 1024 events along the first axis.
            var chunk = dims
            chunk[0] = min(dims[0], 1024)
            guard H5Pset_chunk(plist, Int32(chunk.count), &chunk) >= 0, H5Pset_deflate(plist, 4) >= 0 else { throw fail("set up") }
        }
        let ds = H5Dcreate2(id, name, T.hdf5Type, space, calo_h5p_default(), plist, calo_h5p_default())
        guard ds >= 0 else { throw HDF5Error("\(path): cannot create dataset '\(name)'") }
        let status = values.withUnsafeBytes { H5Dwrite(ds, T.hdf5Type, calo_h5s_all(), calo_h5s_all(), calo_h5p_default(), $0.baseAddress) }
        let closed = H5Dclose(ds)
        guard status >= 0, closed >= 0 else { throw fail("write") }
    }

    /// The shape of dataset `name`.
    public func shape(of name: String) throws -> [Int] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard H5Lexists(id, name, calo_h5p_default()) > 0 else { throw HDF5Error("\(path): no dataset '\(name)'") }
        let ds = H5Dopen2(id, name, calo_h5p_default())
        guard ds >= 0 else { throw HDF5Error("\(path): cannot open dataset '\(name)'") }
        defer { H5Dclose(ds) }
        let space = H5Dget_space(ds)
        guard space >= 0 else { throw HDF5Error("\(path): cannot read the shape of dataset '\(name)'") }
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0 ... 32).contains(rank) else { throw HDF5Error("\(path): dataset '\(name)' has no simple shape") }
        var dims = [hsize_t](repeating: 0, count: rank)
        guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { throw HDF5Error("\(path): cannot read the shape of dataset '\(name)'") }
        guard dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else { throw HDF5Error("\(path): dataset '\(name)' declares an impossible size") }
        return dims.map { Int($0) }
    }

    /// Read dataset `name` (converted to `T`), checking its shape against `expected` where an
    /// entry is non-nil (nil = any size). Refused before any allocation: a declared size that
    /// overflows or exceeds ``HDF5File/memoryLimitBytes``, and an integer read of a
    /// floating-point dataset (which would truncate).
    public func read<T: HDF5Scalar>(_ name: String, as: T.Type = T.self, expected: [Int?]? = nil) throws -> (values: [T], shape: [Int]) {
        let dims = try shape(of: name)
        if let expected {
            let ok = expected.count == dims.count && zip(expected, dims).allSatisfy { $0.0 == nil || $0.0 == $0.1 }
            if !ok {
                let want = expected.map { $0.map(String.init) ?? "N" }.joined(separator: ",")
                throw HDF5Error("\(path): dataset '\(name)' has shape (\(dims.map(String.init).joined(separator: ","))), expected (\(want))")
            }
        }
        let count = checkedProduct(dims)
        guard let count, count <= HDF5File.memoryLimitBytes / MemoryLayout<T>.stride else {
            throw HDF5Error("\(path): dataset '\(name)' declares shape (\(dims.map(String.init).joined(separator: ","))), more than this machine's memory (limit \(HDF5File.memoryLimitBytes / MemoryLayout<T>.stride) values)")
        }
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let ds = H5Dopen2(id, name, calo_h5p_default())
        guard ds >= 0 else { throw HDF5Error("\(path): cannot open dataset '\(name)'") }
        defer { H5Dclose(ds) }
        try checkTypeClass(H5Dget_type(ds), of: "dataset '\(name)'", as: T.self)
        var values = [T](repeating: T.zeroValue, count: count)
        let status = values.withUnsafeMutableBytes { H5Dread(ds, T.hdf5Type, calo_h5s_all(), calo_h5s_all(), calo_h5p_default(), $0.baseAddress) }
        guard status >= 0 else { throw HDF5Error("\(path): cannot read dataset '\(name)' (truncated or corrupt file?)") }
        return (values, dims)
    }

    /// Refuse an integer read of floating-point data; `type` is closed here.
    private func checkTypeClass<T: HDF5Scalar>(_ type: hid_t, of what: String, as: T.Type) throws {
        guard type >= 0 else { throw HDF5Error("\(path): cannot read the type of \(what)") }
        defer { H5Tclose(type) }
        let cls = H5Tget_class(type)
        if T.isIntegerType {
            guard cls == H5T_INTEGER else { throw HDF5Error("\(path): \(what) must hold integers, it is stored as \(cls == H5T_FLOAT ? "floating point" : "another type")") }
        } else {
            guard cls == H5T_FLOAT || cls == H5T_INTEGER else { throw HDF5Error("\(path): \(what) must hold numbers") }
        }
    }

    /// The most bytes a single read may allocate: half the machine's physical memory.
    public static var memoryLimitBytes: Int { Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(Int.max))) }

    // MARK: Attributes on the root group

    /// Write a string attribute (variable-length UTF-8, read by h5py as `str`).
    public func setAttribute(_ name: String, _ value: String) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let type = H5Tcopy(calo_h5t_c_s1())
        guard type >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        defer { H5Tclose(type) }
        guard H5Tset_size(type, Int(bitPattern: UInt(bitPattern: -1))) >= 0,  // H5T_VARIABLE = (size_t)-1
              H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        let space = H5Screate(H5S_SCALAR)
        guard space >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        defer { H5Sclose(space) }
        let attr = H5Acreate2(id, name, type, space, calo_h5p_default(), calo_h5p_default())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        let status: herr_t = value.withCString { cstr in
            var p: UnsafePointer<CChar>? = cstr
            return H5Awrite(attr, type, &p)
        }
        let closed = H5Aclose(attr)
        guard status >= 0, closed >= 0 else { throw HDF5Error("\(path): cannot write attribute '\(name)'") }
    }

    /// Write a numeric scalar attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let space = H5Screate(H5S_SCALAR)
        guard space >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        defer { H5Sclose(space) }
        let attr = H5Acreate2(id, name, T.hdf5Type, space, calo_h5p_default(), calo_h5p_default())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        var v = value
        let status = H5Awrite(attr, T.hdf5Type, &v)
        let closed = H5Aclose(attr)
        guard status >= 0, closed >= 0 else { throw HDF5Error("\(path): cannot write attribute '\(name)'") }
    }

    /// Open attribute `name` of the root group, checking it holds a single value.
    private func openScalarAttribute(_ name: String) throws -> hid_t {
        guard H5Aexists(id, name) > 0 else { throw HDF5Error("\(path): no attribute '\(name)'") }
        let attr = H5Aopen(id, name, calo_h5p_default())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot read attribute '\(name)'") }
        let space = H5Aget_space(attr)
        let points = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1
        if space >= 0 { H5Sclose(space) }
        guard points == 1 else {
            H5Aclose(attr)
            throw HDF5Error("\(path): attribute '\(name)' must be a single value")
        }
        return attr
    }

    /// Read a string attribute of the root group.
    public func stringAttribute(_ name: String) throws -> String {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let attr = try openScalarAttribute(name)
        defer { H5Aclose(attr) }
        let stored = H5Aget_type(attr)
        let isVariableString = stored >= 0 && H5Tget_class(stored) == H5T_STRING && H5Tis_variable_str(stored) > 0
        if stored >= 0 { H5Tclose(stored) }
        guard isVariableString else { throw HDF5Error("\(path): attribute '\(name)' is not a (variable-length) string") }
        let type = H5Tcopy(calo_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, Int(bitPattern: UInt(bitPattern: -1)))
        H5Tset_cset(type, H5T_CSET_UTF8)
        var p: UnsafeMutablePointer<CChar>? = nil
        guard H5Aread(attr, type, &p) >= 0, let cstr = p else { throw HDF5Error("\(path): attribute '\(name)' is not a string") }
        defer { free(cstr) }
        return String(cString: cstr)
    }

    /// Read the floating-point array attribute `name` of dataset `dataset` as `Double`s (e.g. the
    /// bin edges of a histogram stored beside it); at most `limit` values. Errors name the file,
    /// the dataset and the attribute.
    public func doubleArrayAttribute(_ name: String, ofDataset dataset: String, limit: Int = 1 << 20) throws -> [Double] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let what = "attribute '\(name)' of dataset '\(dataset)'"
        guard H5Lexists(id, dataset, calo_h5p_default()) > 0, H5Aexists_by_name(id, dataset, name, calo_h5p_default()) > 0 else {
            throw HDF5Error("\(path): no \(what)")
        }
        let attr = H5Aopen_by_name(id, dataset, name, calo_h5p_default(), calo_h5p_default())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot open \(what)") }
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_FLOAT else { throw HDF5Error("\(path): \(what) is not floating-point") }
        let space = H5Aget_space(attr)
        let points = space >= 0 ? Int(H5Sget_simple_extent_npoints(space)) : -1
        if space >= 0 { H5Sclose(space) }
        guard points >= 0, points <= limit else { throw HDF5Error("\(path): \(what) has \(points) values (at most \(limit) expected)") }
        var v = [Double](repeating: 0, count: points)
        guard H5Aread(attr, calo_h5t_native_double(), &v) >= 0 else { throw HDF5Error("\(path): cannot read \(what)") }
        return v
    }

    /// Read a numeric scalar attribute of the root group (an integer read of a floating-point
    /// attribute is refused rather than truncated).
    public func numericAttribute<T: HDF5Scalar>(_ name: String, as: T.Type = T.self) throws -> T {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let attr = try openScalarAttribute(name)
        defer { H5Aclose(attr) }
        try checkTypeClass(H5Aget_type(attr), of: "attribute '\(name)'", as: T.self)
        var v = T.zeroValue
        guard H5Aread(attr, T.hdf5Type, &v) >= 0 else { throw HDF5Error("\(path): cannot read attribute '\(name)' (out of range?)") }
        return v
    }
}

/// The product of `dims`, or nil if it overflows `Int`.
func checkedProduct(_ dims: [Int]) -> Int? {
    var n = 1
    for d in dims {
        let (p, overflow) = n.multipliedReportingOverflow(by: d)
        if overflow { return nil }
        n = p
    }
    return n
}
