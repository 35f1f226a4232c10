/// The bytes read from a stream but not consumed yet: a growable array with a read window.
struct InputBuffer {
    private var storage: [UInt8]
    private var start = 0
    private var end = 0

    init(initialCapacity: Int = 16 << 10) {
        storage = [UInt8](repeating: 0, count: initialCapacity)
    }

    init(bytes: [UInt8]) {
        storage = bytes.isEmpty ? [UInt8](repeating: 0, count: 16 << 10) : bytes
        end = bytes.count
    }

    var readable: Int { end - start }
    var isEmpty: Bool { start == end }

    func withReadable<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
        }
    }

    mutating func consume(_ count: Int) {
        precondition(count <= readable, "consuming more than buffered")
        start += count
        if start == end {
            start = 0
            end = 0
        }
    }

    /// Removes and returns everything buffered.
    mutating func takeAll() -> [UInt8] {
        let bytes = Array(storage[start..<end])
        start = 0
        end = 0
        return bytes
    }

    /// Reads once from `stream` into the free space (at least `minimumFree` bytes of room, growing
    /// as needed); returns false at end of stream.
    mutating func fill(from stream: any ByteStream, minimumFree: Int = 16 << 10) throws -> Bool {
        if storage.count - end < minimumFree {
            if start > 0 {
                storage.withUnsafeMutableBytes { all in
                    guard let base = all.baseAddress else { return }
                    (base).copyMemory(from: base + start, byteCount: end - start)
                }
                end -= start
                start = 0
            }
            if storage.count - end < minimumFree {
                let newCount = max(storage.count * 2, end + minimumFree)
                storage.append(contentsOf: [UInt8](repeating: 0, count: newCount - storage.count))  // memset, fast in debug too
            }
        }
        let endIndex = end
        let n = try storage.withUnsafeMutableBytes { all in
            try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: all[endIndex...]))
        }
        end += n
        return n > 0
    }

    /// Fills until at least `count` bytes are buffered; false on end of stream before that.
    mutating func fill(atLeast count: Int, from stream: any ByteStream) throws -> Bool {
        while readable < count {
            guard try fill(from: stream, minimumFree: min(max(count - readable, 4096), 1 << 20)) else { return false }
        }
        return true
    }

    /// Drops storage beyond `limit` when the buffer is empty (after a large websocket message).
    mutating func shrink(ifLargerThan limit: Int) {
        if isEmpty, storage.count > limit {
            storage = [UInt8](repeating: 0, count: 16 << 10)
        }
    }
}
