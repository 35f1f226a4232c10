import Foundation
import LXDCommandLine
import Testing

@testable import LXDCLI

@Suite struct GoJSONTests {
    @Test(arguments: [
        ("0", "0"), ("-0", "-0"), ("25997125", "25997125"), ("1.5", "1.5"), ("1e2", "100"), ("0.000001", "0.000001"),
        ("0.0000001", "1e-7"), ("1e21", "1e+21"), ("123456789012345678901", "123456789012345680000"),
        ("18446744073709551615", "18446744073709552000"), ("-2.5e-3", "-0.0025"), ("1.25e-10", "1.25e-10"),
    ])
    func numbersAsFloat64(input: String, expected: String) {
        #expect(GoJSON.goNumber(input) == expected)
    }

    @Test func indentedWithSortedKeysAndNoHTMLEscaping() throws {
        let value = try OrderedJSON.parse(#"{"b":[1,{}],"a":"<&>","c":[],"d":{"z":null,"y":true}}"#)
        #expect(
            GoJSON.indented(value, sortKeys: true)
                == "{\n\t\"a\": \"<&>\",\n\t\"b\": [\n\t\t1,\n\t\t{}\n\t],\n\t\"c\": [],\n\t\"d\": {\n\t\t\"y\": true,\n\t\t\"z\": null\n\t}\n}"
        )
        #expect(GoJSON.compact(.string("a\u{1}\"\n\u{2028}"), sortKeys: false) == #""a\u0001\"\n\u2028""#)
    }

    @Test func syntaxErrorsAsGoWordsThem() {
        #expect(GoJSON.syntaxError(Data("hello".utf8)) == "invalid character 'h' looking for beginning of value")
        #expect(GoJSON.syntaxError(Data("  \n".utf8)) == "unexpected end of JSON input")
    }

    @Test func detachKeys() {
        var filter = DetachKeyFilter()
        #expect(filter.feed(UInt8(ascii: "a")) == .forward([UInt8(ascii: "a")]))
        #expect(filter.feed(0x01) == .swallow)
        #expect(filter.feed(UInt8(ascii: "x")) == .forward([UInt8(ascii: "x")]))
        #expect(filter.feed(UInt8(ascii: "q")) == .forward([UInt8(ascii: "q")]))
        #expect(filter.feed(0x01) == .swallow)
        #expect(filter.feed(UInt8(ascii: "q")) == .detach)
    }
}
