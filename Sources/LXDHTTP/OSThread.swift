import CShim
import Glibc

/// Plain pthreads: a connection's blocking reads and writes never touch Swift's cooperative pool,
/// and the accept thread can be joined on stop.
enum OSThread {
    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Starts `body` on a new thread; returns its handle, or the pthread_create error code.
    static func spawn(name: String, stackSize: Int = 512 << 10, detached: Bool, _ body: @escaping @Sendable () -> Void) -> Result<
        pthread_t, Errno
    > {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, &attributes,
            { raw in
                guard let raw else { return nil }
                let body = Unmanaged<Body>.fromOpaque(raw).takeRetainedValue()
                _ = lxd_os_thread_set_name(body.name)
                body.run()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return .failure(Errno(code: rc))
        }
        return .success(thread)
    }

    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    struct Errno: Error {
        var code: Int32
    }
}
