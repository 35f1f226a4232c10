import Foundation
import LXDHTTP

/// Joins pairs of websockets message by message, both ways (LXD's relay transfer mode: the
/// client connects to the migration websockets of both servers and carries what they say).
/// A side that ends gets its peer a close frame, so each end sees the other finish; the pair is
/// closed once both directions have ended.
public enum WebSocketRelay {
    /// Relays every pair until all have ended; returns then.
    public static func run(_ pairs: [(WebSocket, WebSocket)]) {
        let done = DispatchGroup()
        for (first, second) in pairs {
            let directions = DispatchGroup()
            for (from, to) in [(first, second), (second, first)] {
                done.enter()
                directions.enter()
                let thread = Thread {
                    defer {
                        directions.leave()
                        done.leave()
                    }
                    copy(from: from, to: to)
                }
                thread.stackSize = 256 << 10
                thread.start()
            }
            done.enter()
            directions.notify(queue: .global()) {
                first.close()
                second.close()
                done.leave()
            }
        }
        done.wait()
    }

    static func copy(from source: WebSocket, to destination: WebSocket) {
        while let message = try? source.receive() {
            do {
                switch message {
                case .text(let text): try destination.sendText(text)
                case .binary(let data): try destination.sendBinary(data)
                }
            } catch {
                break
            }
        }
        try? destination.sendClose()
    }
}
