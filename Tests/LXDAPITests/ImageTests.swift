import Foundation
import Testing

@testable import LXDAPI

@Suite struct ImageTests {
    /// LXD omits `update_source` for images with no source (imported, published) and writes
    /// the source's fields by their Go names otherwise.
    @Test func updateSourceOnlyWhenThereIsOne() throws {
        var image = Image()
        #expect(!(try topLevelKeys(image)).contains("update_source"))
        image.updateSource = ImageSource(alias: "debian/12", certificate: "", protocol: "simplestreams", server: "https://images")
        #expect(try jsonText(image).contains(#""update_source":{"alias":"debian/12","certificate":"","image_type":"container","#))
        let decoded = try decode(Image.self, #"{"fingerprint":"ab","update_source":{"alias":"a","protocol":"lxd","server":"s"}}"#)
        #expect(decoded.updateSource == ImageSource(alias: "a", certificate: "", protocol: "lxd", server: "s", imageType: ""))
        #expect(try decode(Image.self, #"{"fingerprint":"ab","update_source":null}"#).updateSource == nil)
    }
}
