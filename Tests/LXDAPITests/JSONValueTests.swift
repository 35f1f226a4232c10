import Foundation
import Testing

@testable import LXDAPI

@Suite struct JSONValueTests {
    @Test(arguments: [
        "null", "true", "false", "0", "1", "-3", "42", "4294967296", "1.5", "-0.25", #""text""#, #""a\/b""#, "[]", "{}",
        #"[1,2,3]"#, #"[true,1,0,false]"#, #"{"a":1,"b":[true,false,null,"x",1.5,-3],"c":{"d":4294967296}}"#,
    ])
    func roundTripsKeepingIntegers(text: String) throws {
        let value = try decode(JSONValue.self, text)
        let expected = text == #""a\/b""# ? #""a/b""# : text
        #expect(try jsonText(value) == expected)
    }

    @Test func integersStayIntegers() throws {
        let value = try decode(JSONValue.self, #"{"size":1048576,"ratio":0.5}"#)
        #expect(value["size"] == .number(1_048_576))
        #expect(value["size"]?.intValue == 1_048_576)
        #expect(try jsonText(value) == #"{"ratio":0.5,"size":1048576}"#)
    }

    /// `LXDJSON.decoder` tries strings and containers first (exact JSON types); a decoder
    /// without the flag tries booleans and numbers first. Both read JSON the same.
    @Test func bothAttemptOrdersReadJSONAlike() throws {
        let text = #"{"a":"true","b":true,"c":"1","d":1,"e":[{"f":null},"",[]],"g":{}}"#
        let exact = try LXDJSON.decoder.decode(JSONValue.self, from: Data(text.utf8))
        let plain = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(LXDJSON.decoder.userInfo[JSONValue.exactTypes] as? Bool == true)
        #expect(exact == plain)
        #expect(exact["a"] == .string("true") && exact["b"] == .bool(true))
        #expect(exact["c"] == .string("1") && exact["d"] == .number(1))
        #expect(exact["e"] == .array([.object(["f": .null]), .string(""), .array([])]))
        #expect(exact["g"] == .object([:]))
    }

    @Test func boolsAreNotNumbers() throws {
        #expect(try decode(JSONValue.self, "[true,1]") == .array([.bool(true), .number(1)]))
    }

    @Test func accessors() throws {
        let value = try decode(JSONValue.self, #"{"name":"c1","pid":42,"none":null}"#)
        #expect(value["name"]?.stringValue == "c1")
        #expect(value["pid"]?.intValue == 42)
        #expect(value["none"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["pid"]?.stringValue == nil)
        #expect(JSONValue.string("x")["key"] == nil)
    }

    @Test func convertsTypedValuesBothWays() throws {
        var source = InstanceSource()
        source.type = "image"
        source.alias = "bb"
        let value = try JSONValue.from(source)
        #expect(value["type"] == .string("image"))
        #expect(value["live"] == .bool(false))
        #expect(try value.decode(InstanceSource.self) == source)
    }

    @Test func largeAndFractionalNumbersStayDoubles() throws {
        #expect(try jsonText(JSONValue.number(2.5)) == "2.5")
        #expect(try jsonText(JSONValue.number(-7)) == "-7")
        #expect(try jsonText(JSONValue.number(1e300)).contains("e"))
    }
}
