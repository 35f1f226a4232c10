import Foundation
import LXDAPI
import LXDCore

/// Join tokens (`lxc config trust add`): each is a running operation of class `token` holding a
/// secret, the server's fingerprint and addresses, and the certificate request it grants. A
/// client redeems it once by sending the encoded token as its password; `core.remote_token_expiry`
/// bounds its life.
enum CertificateTokens {
    /// What a redeemed token lets the client become.
    struct Grant {
        let name: String
        let type: String
        let restricted: Bool
        let projects: [String]
    }

    static func create(for put: CertificatePut, state: DaemonState) async throws -> BackgroundOperation {
        let config = try await state.database.serverConfig()
        let request = CertificatesPost(
            put: CertificatePut(name: put.name, type: put.type, restricted: put.restricted, projects: put.projects), token: true)
        var metadata: [String: JSONValue] = [
            "secret": .string(Hex.random(byteCount: 32)),
            "fingerprint": .string(state.serverCertificate.fingerprint),
            "addresses": .array(state.https.addresses.map { .string($0) }),
            "request": try JSONValue.from(request),
        ]
        if let expiry = config["core.remote_token_expiry"], !expiry.isEmpty {
            guard let date = Expiry.parse(expiry) else { throw LXDError.internalError("Invalid expiry expression") }
            metadata["expiresAt"] = try JSONValue.from(Timestamp(seconds: Int64(date.timeIntervalSince1970)))
        }
        return state.operations.run(
            .token, description: "Executing operation", resources: nil, metadata: .object(metadata), mayCancel: true
        ) {
            _ in
            // Lives until redeemed or revoked (both cancel it).
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Finds the running token operation with the token's secret, cancels it (tokens are single
    /// use) and returns its grant; 403 with LXD's texts when there is none or it expired.
    static func redeem(_ token: CertificateAddToken, in operations: OperationRegistry) throws -> Grant {
        let match = operations.all.first { operation in
            operation.operationClass == .token && operation.status == .running
                && operation.snapshot.metadata["secret"]?.stringValue == token.secret
        }
        guard let match else { throw LXDError.forbidden("No matching certificate add operation found") }
        let snapshot = match.snapshot
        match.cancel()
        if let expires = snapshot.metadata["expiresAt"], let date = try? expires.decode(Timestamp.self), date < .now() {
            throw LXDError.forbidden("Token has expired")
        }
        let request = snapshot.metadata["request"]
        return Grant(
            name: request?["name"]?.stringValue ?? "", type: request?["type"]?.stringValue ?? "client",
            restricted: request?["restricted"] == .bool(true),
            projects: (try? request?["projects"]?.decode([String].self)) ?? [])
    }
}
