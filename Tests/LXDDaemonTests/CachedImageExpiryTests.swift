import LXDCore
import Testing

@testable import LXDDaemon

@Suite struct CachedImageExpiryTests {
    let day: Int64 = 86400
    let now = Timestamp(seconds: 1_800_000_000)

    func image(cached: Bool = true, uploadedDaysAgo: Int64, usedDaysAgo: Int64? = nil, expiresInDays: Int64? = nil) -> ImageRecord {
        var record = ImageRecord(
            fingerprint: "ab", filename: "", size: 0, cached: cached, architecture: "x86_64", createdAt: now,
            uploadedAt: Timestamp(seconds: now.seconds - uploadedDaysAgo * day))
        if let usedDaysAgo { record.lastUsedAt = Timestamp(seconds: now.seconds - usedDaysAgo * day) }
        if let expiresInDays { record.expiresAt = Timestamp(seconds: now.seconds + expiresInDays * day) }
        return record
    }

    @Test func unusedForTheConfiguredDays() {
        #expect(CachedImageExpiry.isExpired(image(uploadedDaysAgo: 11), days: 10, now: now))
        #expect(!CachedImageExpiry.isExpired(image(uploadedDaysAgo: 9), days: 10, now: now))
        // The last use counts, not the upload.
        #expect(!CachedImageExpiry.isExpired(image(uploadedDaysAgo: 30, usedDaysAgo: 2), days: 10, now: now))
        #expect(CachedImageExpiry.isExpired(image(uploadedDaysAgo: 30, usedDaysAgo: 12), days: 10, now: now))
        // 0 days keeps them.
        #expect(!CachedImageExpiry.isExpired(image(uploadedDaysAgo: 300), days: 0, now: now))
    }

    @Test func pastTheirExpiryDate() {
        #expect(CachedImageExpiry.isExpired(image(uploadedDaysAgo: 1, expiresInDays: -1), days: 10, now: now))
        #expect(!CachedImageExpiry.isExpired(image(uploadedDaysAgo: 1, expiresInDays: 1), days: 10, now: now))
    }

    /// Images a user imported, copied or published are never removed this way.
    @Test func onlyCachedImages() {
        #expect(!CachedImageExpiry.isExpired(image(cached: false, uploadedDaysAgo: 300, expiresInDays: -1), days: 10, now: now))
    }
}
