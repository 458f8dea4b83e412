/** Rules for text that is stored and shown: ids and names from the admin and from Kustom. */

/**
 * Half of a character: a UTF-16 surrogate without its partner. JSON can carry one (`"\ud83d"`),
 * but it is not Unicode text: PostgreSQL stores it as U+FFFD and `encodeURIComponent` throws.
 */
export const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Characters a name or id must not hold, each with what to tell the person who sent it:
 * control characters (C0, DEL, C1), line and paragraph separators, the bidirectional
 * embedding, override and isolate controls that make text display in another order than it is
 * stored, and halves of a character (unpaired UTF-16 surrogates, which PostgreSQL cannot keep).
 * Zero-width joiners and marks stay allowed: emoji sequences and right-to-left names use them.
 */
export type CharacterRule = { pattern: RegExp; reason: string }

/** Embeddings, overrides and isolates: invisible, they change the order text is shown in. */
const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/

const REFUSED_CHARACTERS: ReadonlyArray<CharacterRule> = [
  { pattern: /[\u0000-\u001F\u007F-\u009F]/, reason: "control characters such as line breaks, tabs or NUL" },
  { pattern: /[\u2028\u2029]/, reason: "line or paragraph separators" },
  { pattern: DIRECTION_CONTROLS, reason: "invisible characters that change the direction text is shown in" },
  { pattern: UNPAIRED_SURROGATE, reason: "half of a character (an unpaired surrogate)" },
]

/** Why `value` cannot be stored, with the first offending character and where it is; or null. */
export function refusedCharacterMessage(value: string): string | null {
  return firstBrokenRule(value, REFUSED_CHARACTERS)
}

/** The first of `rules` that `value` breaks, as `must not contain … (found U+… at character n)`; or null. */
export function firstBrokenRule(value: string, rules: ReadonlyArray<CharacterRule>): string | null {
  for (const { pattern, reason } of rules) {
    const index = value.search(pattern)
    if (index < 0) continue
    const code = `U+${value.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")}`
    return `must not contain ${reason} (found ${code} at character ${index + 1})`
  }
  return null
}

/**
 * A name from Kustom (a device's, a location's) as the admin shows it: without direction
 * controls, which the admin refuses in names it sets but Kustom's app may let through, and which
 * would make the name, and the text after it, display in another order. Right-to-left names
 * need none of them and show as they are.
 */
export function withoutDirectionControls(text: string): string {
  return text.replace(new RegExp(DIRECTION_CONTROLS.source, "g"), "")
}
