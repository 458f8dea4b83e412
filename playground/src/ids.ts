/**
 * Identifiers and secrets. Everything guessable by a person (enrollment codes, device tokens)
 * comes from `crypto`, never `Math.random`.
 */
import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto"

/** No 0/O and no 1/I/L: a clerk types the code from a screen. */
export const ENROLLMENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
export const ENROLLMENT_CODE_LENGTH = 8

export function newEnrollmentCode(): string {
  let code = ""
  // randomInt is unbiased (rejection sampling), unlike `byte % 31`.
  for (let i = 0; i < ENROLLMENT_CODE_LENGTH; i++) {
    code += ENROLLMENT_CODE_ALPHABET[randomInt(ENROLLMENT_CODE_ALPHABET.length)]
  }
  return code
}

export const newId = (): string => randomUUID()

export function newDeviceToken(): string {
  return `kdt_${randomBytes(32).toString("base64url")}`
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** A ULID (time-ordered, 26 Crockford base32 chars), as in Kustom's `kevt_01…` event ids. */
export function newUlid(now = Date.now()): string {
  let time = ""
  let t = now
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time
    t = Math.floor(t / 32)
  }
  let random = ""
  for (let i = 0; i < 16; i++) random += CROCKFORD[randomInt(32)]
  return time + random
}

export const newEventId = (): string => `kevt_${newUlid()}`

/**
 * A stable UUID-shaped id derived from a name, so a location configured without an id keeps
 * the same id across restarts (devices and enrollments in a state file refer to it).
 */
export function stableIdFromName(name: string): string {
  const hex = createHash("sha256").update(`kustom-ipp-playground:location:${name}`).digest("hex")
  // Shape it as an RFC 4122 name-based UUID (version 5 nibble, variant bits 10xx).
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
