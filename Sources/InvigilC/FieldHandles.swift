// Field ids: a field's name is looked up once (invigil_field_lookup), then values are set by id,
// skipping the hash of the name on every call. Also the integer element setter.
//
// An id carries its rule set's tag in the high 32 bits and the field's slot in the low 32, so an
// id used with a scanner of another rule set is refused (INVIGIL_ERROR_ARGUMENT), not misread.

import CInvigil
import Invigil

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension RulesBox {
    /// The field id of a slot of this rule set.
    func fieldID(slot: Int) -> UInt64 { UInt64(tag) << 32 | UInt64(UInt32(truncatingIfNeeded: slot)) }

    /// The slot of a field id of this rule set, or nil.
    @inline(__always) func slot(ofID id: UInt64) -> Int? {
        guard UInt32(truncatingIfNeeded: id >> 32) == tag else { return nil }
        let slot = Int(UInt32(truncatingIfNeeded: id))
        return slot < rules.fields.count ? slot : nil
    }
}

@c @implementation
public func invigil_field_lookup(
    _ rules: OpaquePointer?, _ field: UnsafePointer<CChar>?,
    _ outID: UnsafeMutablePointer<invigil_field_id>?
) -> invigil_status {
    guard let box = object(rules, Magic.rules, RulesBox.self), !box.freed, let field, let outID else {
        return INVIGIL_ERROR_ARGUMENT
    }
    let name = UnsafeBufferPointer(start: UnsafeRawPointer(field).assumingMemoryBound(to: UInt8.self), count: strlen(field))
    guard let slot = box.rules.slot(ofUTF8: name) else { return INVIGIL_ERROR_FIELD }
    outID.pointee = box.fieldID(slot: slot)
    return INVIGIL_OK
}

/// The one path of the setters by id.
@inline(__always)
private func setByID(_ s: OpaquePointer?, _ id: UInt64, _ value: Value, _ mode: SetMode) -> invigil_status {
    withScanner(s, .write) { box in
        guard let slot = box.owner.slot(ofID: id) else {
            return box.fail(INVIGIL_ERROR_ARGUMENT, "field id \(id) is not a field of this scanner's rule set")
        }
        return setSlot(box, slot, value, mode)
    }
}

@c @implementation
public func invigil_set_string_id(
    _ s: OpaquePointer?, _ field: invigil_field_id, _ value: UnsafePointer<CChar>?,
    _ length: Int
) -> invigil_status {
    guard let bytes = stringValue(value, length) else { return INVIGIL_ERROR_ARGUMENT }
    return setByID(s, field, .string(bytes), .replace)
}

@c @implementation
public func invigil_add_string_id(
    _ s: OpaquePointer?, _ field: invigil_field_id, _ value: UnsafePointer<CChar>?,
    _ length: Int
) -> invigil_status {
    guard let bytes = stringValue(value, length) else { return INVIGIL_ERROR_ARGUMENT }
    return setByID(s, field, .string(bytes), .append)
}

@c @implementation
public func invigil_set_bool_id(_ s: OpaquePointer?, _ field: invigil_field_id, _ value: Int32) -> invigil_status {
    setByID(s, field, .bool(value != 0), .replace)
}

@c @implementation
public func invigil_add_bool_id(_ s: OpaquePointer?, _ field: invigil_field_id, _ value: Int32) -> invigil_status {
    setByID(s, field, .bool(value != 0), .append)
}

@c @implementation
public func invigil_set_int_id(_ s: OpaquePointer?, _ field: invigil_field_id, _ value: Int64) -> invigil_status {
    setByID(s, field, .int(value), .replace)
}

@c @implementation
public func invigil_add_int_id(_ s: OpaquePointer?, _ field: invigil_field_id, _ value: Int64) -> invigil_status {
    setByID(s, field, .int(value), .append)
}

@c @implementation
public func invigil_set_element_int(
    _ s: OpaquePointer?, _ field: UnsafePointer<CChar>?, _ element: Int,
    _ value: Int64
) -> invigil_status {
    guard element >= 0 else { return INVIGIL_ERROR_ARGUMENT }
    return withScanner(s, .write) { box in
        guard let e = elementIndex(element) else {
            return box.fail(INVIGIL_ERROR_LIMIT, "element \(element) is over the limit of \(Limits.eventValues) values")
        }
        guard let field else { return box.fail(INVIGIL_ERROR_ARGUMENT, "field is NULL") }
        let name = UnsafeBufferPointer(start: UnsafeRawPointer(field).assumingMemoryBound(to: UInt8.self), count: strlen(field))
        guard let slot = box.fieldNames.slot(of: name, in: box.scanner) else {
            return box.fail(INVIGIL_ERROR_FIELD, "unknown field '\(String(decoding: name, as: UTF8.self))'")
        }
        return setSlot(box, slot, .int(value), .element(e))
    }
}
