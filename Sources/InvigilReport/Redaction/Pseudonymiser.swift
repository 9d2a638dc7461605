import InvigilArchive

/// Stable pseudonyms for people (`--pseudonymise KEYFILE`): `person-` and the first ten hex
/// digits of HMAC-SHA-256(key, the person's key). The same key gives the same person the same
/// pseudonym on every run and in every output; without the key, names cannot be guessed back
/// by hashing candidates.
///
/// A person's key is, in order: their directory name (so their email address, phone number and
/// name all give one pseudonym), else their address (`id`) in the directory's form (E.164 for a
/// phone number, lower case otherwise), else their name's key. Without a directory, one person
/// who appears once by address and once by name alone gets two pseudonyms.
public struct Pseudonymiser: Sendable {
    private let key: [UInt8]
    private let directory: PeopleDirectory?

    /// The least key length accepted, in bytes.
    public static let minimumKeyBytes = 16

    public init(key: [UInt8], directory: PeopleDirectory? = nil) {
        self.key = key
        self.directory = directory
    }

    /// Reads the key: the file's bytes without trailing white space (an editor's newline does not
    /// change the pseudonyms). An error when it is shorter than `minimumKeyBytes`.
    public static func key(fromFile bytes: [UInt8]) -> [UInt8]? {
        var k = bytes
        while let last = k.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { k.removeLast() }
        return k.count >= minimumKeyBytes ? k : nil
    }

    /// The pseudonym for a person key (`name:jamie harrow`, `address:+447700900222`).
    public func pseudonym(forKey personKey: String) -> String {
        let code = HMACSHA256.code(key: key, message: Array(personKey.utf8))
        return "person-" + String(SHA256.hex(Array(code.prefix(5))))
    }

    /// The key of a person given by id and name (see the type's description), or nil when
    /// neither is given.
    public func personKey(id: String?, name: String?) -> String? {
        if let directory {
            for identity in [id, name].compactMap({ $0 }) {
                if let p = directory.person(identity: identity), let k = PeopleDirectory.nameKey(p.name) { return "name:" + k }
            }
        }
        if let id, let k = PeopleDirectory.addressKey(id) { return "address:" + k }
        if let name, let k = PeopleDirectory.nameKey(name) { return "name:" + k }
        return nil
    }

    /// The pseudonym for a person given by id and name.
    public func pseudonym(id: String?, name: String?) -> String? {
        personKey(id: id, name: name).map(pseudonym(forKey:))
    }
}
