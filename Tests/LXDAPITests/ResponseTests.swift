import Foundation
import LXDCore
import Testing

@testable import LXDAPI

@Suite struct ResponseEnvelopeTests {
    static let envelopeKeys: Set<String> = ["type", "status", "status_code", "operation", "error_code", "error", "metadata"]

    @Test func syncEnvelopeIsLXDs() throws {
        #expect(
            try jsonText(ResponseEnvelope.sync(["name": "c1"]))
                == #"{"error":"","error_code":0,"metadata":{"name":"c1"},"operation":"","status":"Success","status_code":200,"type":"sync"}"#
        )
    }

    @Test func syncEnvelopeWithoutMetadataHasNullMetadata() throws {
        let envelope = ResponseEnvelope<[String]>.sync(nil)
        #expect(try topLevelKeys(envelope) == Self.envelopeKeys)
        #expect(try jsonText(envelope).contains(#""metadata":null"#))
    }

    @Test func asyncEnvelopeIsLXDs() throws {
        let envelope = ResponseEnvelope.async(operationURL: "/1.0/operations/abc", JSONValue.object(["id": .string("abc")]))
        #expect(
            try jsonText(envelope)
                == #"{"error":"","error_code":0,"metadata":{"id":"abc"},"operation":"/1.0/operations/abc","status":"Operation created","status_code":100,"type":"async"}"#
        )
    }

    @Test func errorEnvelopeIsLXDs() throws {
        let envelope = ResponseEnvelope<JSONValue>.error(.notFound("Instance not found"))
        #expect(
            try jsonText(envelope)
                == #"{"error":"Instance not found","error_code":404,"metadata":null,"operation":"","status":"","status_code":0,"type":"error"}"#
        )
    }

    @Test func everyEnvelopeHasAllSevenKeys() throws {
        #expect(try topLevelKeys(ResponseEnvelope.sync(JSONValue.object([:]))) == Self.envelopeKeys)
        #expect(try topLevelKeys(ResponseEnvelope.async(operationURL: "/1.0/operations/x", JSONValue.null)) == Self.envelopeKeys)
        #expect(try topLevelKeys(ResponseEnvelope<JSONValue>.error(.internalError("boom"))) == Self.envelopeKeys)
    }

    @Test func rawEnvelopeDecodesAnErrorResponse() throws {
        let raw = try decode(
            ResponseRaw.self,
            #"{"type":"error","status":"","status_code":0,"operation":"","error_code":404,"error":"not found","metadata":null}"#)
        #expect(raw.type == "error")
        #expect(raw.errorCode == 404)
        #expect(raw.error == "not found")
        #expect(raw.metadata == .null)
    }

    @Test func rawEnvelopeIsLenient() throws {
        let raw = try decode(ResponseRaw.self, #"{"type":"sync","metadata":{"a":[1,2]}}"#)
        #expect(raw.status == "")
        #expect(raw.statusCode == 0)
        #expect(raw.operation == "")
        #expect(raw.metadata == .object(["a": .array([.number(1), .number(2)])]))
        #expect(try decode(ResponseRaw.self, "{}").metadata == .null)
    }

    @Test func rawEnvelopeRejectsWrongTypes() {
        #expect(throws: DecodingError.self) { try decode(ResponseRaw.self, #"{"status_code":"200"}"#) }
        #expect(throws: DecodingError.self) { try decode(ResponseRaw.self, #"{"error":false}"#) }
    }
}

@Suite struct LXDErrorTests {
    struct Custom: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    @Test func helpersCarryLXDsStatuses() {
        #expect(LXDError.badRequest("x").status == .badRequest)
        #expect(LXDError.forbidden() == LXDError(.forbidden, "not authorized"))
        #expect(LXDError.notFound() == LXDError(HTTPStatus(404), "not found"))
        #expect(LXDError.conflict("x").status.code == 409)
        #expect(LXDError.preconditionFailed("x").status.code == 412)
        #expect(LXDError.internalError("x").status.code == 500)
        #expect(LXDError.notImplemented() == LXDError(HTTPStatus(501), "not implemented"))
        #expect(LXDError.notFound("Instance not found").description == "Instance not found")
    }

    @Test func lxdErrorMapsToItself() {
        let error = LXDError.conflict("Name \"c1\" already in use")
        #expect(LXDError(mapping: error) == error)
    }

    @Test func otherErrorsAreInternalWithTheirDescription() {
        #expect(LXDError(mapping: Custom()) == LXDError(.internalServerError, "disk on fire"))
    }

    @Test func typeMismatchIsABadRequest() throws {
        let error = try #require(decodingError { try decode(Instance.self, #"{"name":5}"#) })
        let mapped = LXDError(mapping: error)
        #expect(mapped.status == .badRequest)
        #expect(mapped.message.hasPrefix("json: cannot unmarshal"))
        #expect(mapped.message.contains("name"))
    }

    @Test func nestedTypeMismatchNamesThePath() throws {
        let error = try #require(decodingError { try decode(InstancesPost.self, #"{"source":{"type":1}}"#) })
        let mapped = LXDError(mapping: error)
        #expect(mapped.status == .badRequest)
        #expect(mapped.message.contains("source.type"))
    }

    @Test func malformedJSONIsABadRequest() throws {
        let error = try #require(decodingError { try decode(Instance.self, "{") })
        let mapped = LXDError(mapping: error)
        #expect(mapped.status == .badRequest)
        #expect(mapped.message.hasPrefix("invalid JSON"))
    }

    @Test func missingKeyIsABadRequest() throws {
        let error = try #require(decodingError { try decode(ServerStorageDriverInfo.self, "{}") })
        let mapped = LXDError(mapping: error)
        #expect(mapped.status == .badRequest)
        #expect(mapped.message.hasPrefix("json: "))
    }

    private func decodingError(_ body: () throws -> Any) -> DecodingError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? DecodingError
        }
    }
}
