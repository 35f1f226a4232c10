import Foundation
import LXDCore

/// Removes cached images (pulled to create an instance) that have not been used for
/// `images.remote_cache_expiry` days (default 10; 0 keeps them) or whose expiry date has passed,
/// as LXD does; images imported, copied or published by a user stay. Runs at start, then hourly.
struct CachedImageExpiry {
    let state: DaemonState

    /// Whether a cached image is due: unused (since its last use, or its upload if never used)
    /// for `days`, or past its `expires_at`.
    static func isExpired(_ image: ImageRecord, days: Int, now: Timestamp) -> Bool {
        guard image.cached else { return false }
        if image.expiresAt.seconds > 0, image.expiresAt < now { return true }
        guard days > 0 else { return false }
        let lastUse = image.lastUsedAt.seconds > 0 ? image.lastUsedAt : image.uploadedAt
        return lastUse.seconds + Int64(days) * 86400 < now.seconds
    }

    func run() async {
        while !Task.isCancelled {
            await prune(at: .now())
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    func prune(at now: Timestamp) async {
        let days = (try? await state.database.serverConfig())?["images.remote_cache_expiry"].flatMap { Int($0) } ?? 10
        guard let images = try? await state.database.images() else { return }
        for image in images where Self.isExpired(image, days: days, now: now) {
            do {
                try await state.images.delete(fingerprint: image.fingerprint, requestor: nil)
                await state.storage.deleteImageVolumes(image.fingerprint)
                state.logger.info("Deleted expired cached image", ["fingerprint": image.fingerprint])
            } catch {
                state.logger.warning("Failed to delete an expired cached image", ["fingerprint": image.fingerprint, "err": "\(error)"])
            }
        }
    }
}
