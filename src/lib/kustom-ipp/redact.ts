/**
 * Scrubs the API key out of any text that could end up in an error, a log line or a
 * serialised object. Headers are never copied into errors in the first place; this is the
 * second line of defence for servers (or proxies) that echo request data back.
 */
export type Redactor = (text: string) => string

const REDACTED = "[REDACTED]"
// Shorter strings cannot be real keys, and replacing them would garble every message.
const MIN_SECRET_LENGTH = 4

export function createRedactor(apiKey: string): Redactor {
  const secrets = new Set<string>()
  const add = (value: string | undefined) => {
    if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value)
  }
  add(apiKey)
  // The older credential form is base64("<MID>-<suffix>:<API key>"): hide its parts too.
  const decoded = tryDecodeBase64(apiKey)
  if (decoded) {
    add(decoded)
    const colon = decoded.indexOf(":")
    if (colon >= 0) add(decoded.slice(colon + 1))
  }
  add(Buffer.from(apiKey, "utf8").toString("base64"))
  // Longest first, so a key is not half-replaced by one of its own substrings.
  const ordered = [...secrets].sort((a, b) => b.length - a.length)
  return (text: string) => {
    let out = text
    for (const secret of ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
    return out
  }
}

export function redactValue(value: unknown, redact: Redactor): unknown {
  if (value === undefined) return undefined
  if (typeof value === "string") return redact(value)
  try {
    return JSON.parse(redact(JSON.stringify(value)))
  } catch {
    return undefined
  }
}

function tryDecodeBase64(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return undefined
  const decoded = Buffer.from(value, "base64").toString("utf8")
  // Only printable text can be a credential pair; anything else is a coincidental match.
  return /^[\x20-\x7e]+$/.test(decoded) ? decoded : undefined
}
