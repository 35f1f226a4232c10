// Wire types use LXDCore's Timestamp; re-export it so API users need not import LXDCore.
@_exported import struct LXDCore.Timestamp
