import Foundation
import LXDCore
import Testing

@testable import LXDAPI

/// Foundation has an `Operation` too.
typealias APIOperation = LXDAPI.Operation

@Suite struct OperationTests {
    static var sample: APIOperation {
        var operation = APIOperation()
        operation.id = "0d2c3f6e-1b39-4f3e-8d1e-3c0f3a2b9c11"
        operation.operationClass = "task"
        operation.description = "Creating instance"
        operation.createdAt = Timestamp(seconds: 1_700_000_000, nanoseconds: 5_000)
        operation.updatedAt = Timestamp(seconds: 1_700_000_001)
        operation.status = StatusCode.running.text
        operation.statusCode = StatusCode.running.rawValue
        operation.resources = ["instances": ["/1.0/instances/c1"]]
        return operation
    }

    @Test func encodesLikeLXD() throws {
        #expect(
            try jsonText(Self.sample)
                == #"{"class":"task","created_at":"2023-11-14T22:13:20.000005Z","description":"Creating instance","err":"","id":"0d2c3f6e-1b39-4f3e-8d1e-3c0f3a2b9c11","location":"none","may_cancel":false,"metadata":null,"resources":{"instances":["/1.0/instances/c1"]},"status":"Running","status_code":103,"updated_at":"2023-11-14T22:13:21Z"}"#
        )
    }

    @Test func nilResourcesAreNull() throws {
        var operation = Self.sample
        operation.resources = nil
        #expect(try jsonText(operation).contains(#""resources":null"#))
    }

    @Test func decodesAWebsocketOperation() throws {
        let operation = try decode(
            APIOperation.self,
            #"""
            {"id":"abc","class":"websocket","description":"Executing command","created_at":"2023-11-14T22:13:20.5Z",
             "updated_at":"2023-11-14T22:13:20.5Z","status":"Running","status_code":103,
             "resources":{"containers":["/1.0/containers/c1"],"instances":["/1.0/instances/c1"]},
             "metadata":{"command":["sh"],"environment":{},"fds":{"0":"s0","control":"sc"},"interactive":true},
             "may_cancel":false,"err":"","location":"none"}
            """#)
        #expect(operation.operationClass == "websocket")
        #expect(operation.code == .running)
        #expect(operation.resources?["instances"] == ["/1.0/instances/c1"])
        #expect(operation.metadata["fds"]?["control"]?.stringValue == "sc")
        #expect(operation.metadata["interactive"] == .bool(true))
        #expect(operation.createdAt == Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000))
    }

    @Test func roundTrips() throws {
        let decoded = try decode(APIOperation.self, try jsonText(Self.sample))
        #expect(try jsonText(decoded) == jsonText(Self.sample))
    }

    @Test func absentFieldsAreZero() throws {
        let operation = try decode(APIOperation.self, #"{"id":"x","resources":null,"metadata":null}"#)
        #expect(operation.operationClass == "")
        #expect(operation.resources == nil)
        #expect(operation.metadata == .null)
        #expect(operation.createdAt == .goZero)
        #expect(operation.location == "")
    }

    @Test func failedOperationCarriesItsError() throws {
        let operation = try decode(APIOperation.self, #"{"status":"Failure","status_code":400,"err":"Failed creating instance"}"#)
        #expect(operation.code == .failure)
        #expect(operation.code.isFinal)
        #expect(operation.err == "Failed creating instance")
    }

    @Test(arguments: [#"{"may_cancel":"no"}"#, #"{"resources":{"instances":"/1.0/instances/c1"}}"#, #"{"status_code":true}"#])
    func wrongTypesThrow(body: String) {
        #expect(throws: DecodingError.self) { try decode(APIOperation.self, body) }
    }
}

@Suite struct StatusCodeTests {
    @Test(arguments: [
        (100, "Operation created"), (101, "Started"), (102, "Stopped"), (103, "Running"), (104, "Cancelling"),
        (105, "Pending"), (106, "Starting"), (107, "Stopping"), (108, "Aborting"), (109, "Freezing"), (110, "Frozen"),
        (111, "Thawed"), (112, "Error"), (113, "Ready"), (200, "Success"), (400, "Failure"), (401, "Cancelled"),
    ])
    func textsAreLXDs(code: Int, text: String) throws {
        let status = try #require(StatusCode(rawValue: code))
        #expect(status.text == text)
    }

    @Test func everyCaseHasATableEntry() {
        #expect(StatusCode.allCases.count == 17)
    }

    @Test func onlySuccessFailureAndCancelledAreFinal() {
        #expect(StatusCode.allCases.filter(\.isFinal) == [.success, .failure, .cancelled])
    }

    @Test func codesAsItsNumber() throws {
        #expect(try jsonText([StatusCode.running]) == "[103]")
        #expect(try decode([StatusCode].self, "[200,401]") == [.success, .cancelled])
    }
}

@Suite struct APIExtensionsTests {
    @Test func listIsLXD502s() throws {
        #expect(APIExtensions.all.count == 318)
        #expect(APIExtensions.all.first == "storage_zfs_remove_snapshots")
        #expect(APIExtensions.all.last == "cpu_hotplug")
    }

    @Test func namesAreUnique() {
        #expect(Set(APIExtensions.all).count == APIExtensions.all.count)
    }

    /// Debian's `lxc` picks code paths from these.
    @Test(arguments: ["instances", "api_filtering", "container_exec_recording", "etag", "patch", "image_create_aliases"])
    func containsWhatTheClientChecks(name: String) {
        #expect(APIExtensions.all.contains(name))
    }
}
