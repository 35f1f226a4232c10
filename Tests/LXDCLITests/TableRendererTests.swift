import LXDCommandLine
import Testing
import YAML

@Suite struct TableRendererTests {
    let header = ["NAME", "STATE", "IPV4", "IPV6", "TYPE", "SNAPSHOTS"]
    let rows = [["c1", "RUNNING", "", "", "CONTAINER", "0"], ["c2", "STOPPED", "", "", "CONTAINER", "0"]]

    @Test func tableHasBordersCentredHeadersAndRowLines() {
        #expect(
            TableRenderer.render(.table, header: header, rows: rows) == """
                +------+---------+------+------+-----------+-----------+
                | NAME |  STATE  | IPV4 | IPV6 |   TYPE    | SNAPSHOTS |
                +------+---------+------+------+-----------+-----------+
                | c1   | RUNNING |      |      | CONTAINER | 0         |
                +------+---------+------+------+-----------+-----------+
                | c2   | STOPPED |      |      | CONTAINER | 0         |
                +------+---------+------+------+-----------+-----------+

                """)
    }

    @Test func compactHasNoBorders() {
        #expect(
            TableRenderer.render(.compact, header: header, rows: rows) == """
                  NAME   STATE   IPV4  IPV6    TYPE     SNAPSHOTS  
                  c1    RUNNING              CONTAINER  0          
                  c2    STOPPED              CONTAINER  0          

                """)
    }

    @Test func emptyTableIsHeaderOnly() {
        #expect(TableRenderer.render(.table, header: ["A", "BB"], rows: []) == "+---+----+\n| A | BB |\n+---+----+\n")
    }

    @Test func multiLineCellsSpanLines() {
        #expect(TableRenderer.render(.table, header: ["P"], rows: [["a\nbb"]]) == "+----+\n| P  |\n+----+\n| a  |\n| bb |\n+----+\n")
    }

    @Test func csvQuotesLikeGo() {
        #expect(
            TableRenderer.csv([["bb", "a,b", "Dec 4, 2026", "say \"hi\"", " lead", ""]])
                == "bb,\"a,b\",\"Dec 4, 2026\",\"say \"\"hi\"\"\",\" lead\",\n")
    }

    @Test func headerTitles() {
        #expect(TableRenderer.title("user.comment") == "USER COMMENT")
        #expect(TableRenderer.title("last_used") == "LAST USED")
        #expect(TableRenderer.title("v1.5") == "V1.5")
        #expect(TableRenderer.title("a.b") == "A B")
        #expect(TableRenderer.title("1.5") == "1.5")
    }

    @Test func formatNamesAndErrors() throws {
        #expect(try TableFormat.parse("yaml") == .yaml)
        #expect(throws: UsageError("Invalid format \"xml\"")) { try TableFormat.parse("xml") }
    }
}

@Suite struct OrderedJSONTests {
    @Test func keepsKeyOrderAndNumbersAndEscapesLikeGo() throws {
        let text = #"{"z":1,"a":[true,null,1.5],"s":"<a&b>\n\u00e9"}"#
        let value = try OrderedJSON.parse(text)
        #expect(value.goJSON == #"{"z":1,"a":[true,null,1.5],"s":"\u003ca\u0026b\u003e\né"}"#)
    }

    @Test func goSchemaReordersStructsAndKeepsMaps() throws {
        let raw = try OrderedJSON.parse(#"{"type":"","target":"abc","name":"bb","description":"d"}"#)
        #expect(GoSchema.imageAlias.apply(raw).goJSON == #"{"description":"d","target":"abc","name":"bb","type":""}"#)
    }

    @Test func yamlLikeGoYAMLv2() throws {
        let raw = try OrderedJSON.parse(
            #"{"auto_update":false,"properties":{"os":"busybox","release":"1.35"},"public":false,"expires_at":"1970-01-01T00:00:00Z","profiles":null,"snapshots":null,"state":null}"#
        )
        #expect(
            YAML.emit(raw.yamlNode) == """
                auto_update: false
                properties:
                  os: busybox
                  release: "1.35"
                public: false
                expires_at: 1970-01-01T00:00:00Z
                profiles: []
                snapshots: []
                state: null

                """)
    }
}

@Suite struct UnitsTests {
    @Test(arguments: [(Int64(0), "0B"), (1023, "1023B"), (1024, "1.00kB"), (881_448, "860.79kB"), (5_000_000, "4.77MB")])
    func byteSize(bytes: Int64, text: String) {
        #expect(Units.byteSize(bytes) == text)
    }

    @Test func byteSizeIEC() {
        #expect(Units.byteSizeIEC(262_144) == "256.00KiB")
        #expect(Units.byteSizeIEC(512) == "512B")
    }

    @Test func dateLayouts() {
        let morning = LocalTime.Parts(year: 2026, month: 12, day: 4, hour: 4, minute: 27, second: 0, zone: "UTC")
        #expect(LocalTime.imageDate(morning) == "Dec 4, 2026 at 4:27am (UTC)")
        #expect(LocalTime.shortDate(morning) == "2026/12/04 04:27 UTC")
        let noon = LocalTime.Parts(year: 2026, month: 1, day: 15, hour: 12, minute: 5, second: 0, zone: "CET")
        #expect(LocalTime.imageDate(noon) == "Jan 15, 2026 at 12:05pm (CET)")
        let midnight = LocalTime.Parts(year: 2026, month: 1, day: 15, hour: 0, minute: 5, second: 0, zone: "UTC")
        #expect(LocalTime.imageDate(midnight) == "Jan 15, 2026 at 12:05am (UTC)")
    }
}
