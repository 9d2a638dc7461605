/// Why a zip archive, or one of its entries, cannot be read.
package struct ZipError: Error, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// Not a zip archive at all, or cut short before its end record.
        case notZip
        /// Offsets, lengths or signatures that do not fit together.
        case corrupt
        /// Valid zip that this reader does not read: encryption, compression methods other than
        /// stored and deflate, ZIP64, archives split over several disks.
        case unsupported
        /// Over one of the `ZipLimits`.
        case limit
        /// The entry's data does not decompress, or does not match its size or CRC-32.
        case badData
        /// The file could not be read.
        case io
    }

    package var kind: Kind
    package var reason: String
    package var description: String { reason }

    package init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }
}
