import Foundation
import LXDAPI
import LXDCore

/// One-off access to a private image for another server (LXD's image secrets): a trusted client
/// asks `POST /1.0/images/FP/secret` and passes the secret to the server that will download the
/// image without being trusted (`lxc image copy`, launching from a remote's image).
enum ImageSecrets {
    /// 404 for an untrusted client unless the image is public or `?secret=` matches one of its
    /// secret operations.
    static func checkAccess(_ image: ImageRecord, request: APIRequest, operations: OperationRegistry) throws {
        guard !request.trust.isTrusted, !image.isPublic else { return }
        guard let secret = request.query["secret"], !secret.isEmpty, matches(secret, image: image.fingerprint, operations: operations)
        else { throw LXDError.notFound("Image not found") }
    }

    static func matches(_ secret: String, image fingerprint: String, operations: OperationRegistry) -> Bool {
        operations.all.contains { operation in
            guard operation.operationClass == .token, !operation.status.isFinal else { return false }
            let snapshot = operation.snapshot
            return snapshot.metadata["secret"]?.stringValue == secret
                && snapshot.resources?["images"]?.contains("/1.0/images/\(fingerprint)") == true
        }
    }

    /// Starts the secret's operation (class `token`, cancelled when used up or deleted).
    static func create(for image: ImageRecord, operations: OperationRegistry) -> BackgroundOperation {
        let metadata: JSONValue = .object(["secret": .string(Hex.random(byteCount: 32))])
        return operations.run(
            .token, description: "Downloading image", resources: ["images": ["/1.0/images/\(image.fingerprint)"]], metadata: metadata,
            mayCancel: true
        ) { _ in
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
