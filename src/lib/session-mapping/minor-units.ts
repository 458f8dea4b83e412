/**
 * Medusa keeps amounts as decimals of the major unit (10.5 EUR); Kustom wants integers in minor
 * units (1050). The exponent is the currency's, never an assumed 2: JPY has 0, KWD has 3.
 */
import { defaultCurrencies, MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"

/** bignumber.js' ROUND_HALF_UP, spelled out so a global configuration cannot change it. */
const ROUND_HALF_UP = 4

export function currencyExponent(currencyCode: string): number {
  const code = currencyCode.toUpperCase()
  const known = (defaultCurrencies as Record<string, { decimal_digits: number } | undefined>)[code]
  if (known) return known.decimal_digits
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    throw new Error(`Unknown currency "${currencyCode}": cannot tell its minor unit`)
  }
}

/** A Medusa amount (major units) as an integer of minor units, rounded half up. */
export function toMinorUnits(amount: BigNumberInput, currencyCode: string): number {
  const scaled = MathBN.mult(amount, MathBN.convert(10).pow(currencyExponent(currencyCode)))
  const rounded = scaled.integerValue(ROUND_HALF_UP)
  if (!rounded.isFinite()) throw new Error(`Amount ${String(amount)} is not a finite number`)
  const value = rounded.toNumber()
  if (!Number.isSafeInteger(value)) throw new Error(`Amount ${String(amount)} is too large to send`)
  return value === 0 ? 0 : value // no -0
}

/**
 * A Medusa amount as an integer of minor units when it is one exactly (10.5 EUR → 1050), or
 * null when it holds a fraction of the smallest unit (0.005 EUR), which no card payment can move.
 */
export function exactMinorUnits(amount: BigNumberInput, currencyCode: string): number | null {
  const scaled = MathBN.mult(amount, MathBN.convert(10).pow(currencyExponent(currencyCode)))
  return scaled.isInteger() ? toMinorUnits(amount, currencyCode) : null
}

/** Minor units back to a Medusa amount in major units, exactly. */
export function fromMinorUnits(minor: number, currencyCode: string): number {
  return MathBN.div(minor, MathBN.convert(10).pow(currencyExponent(currencyCode))).toNumber()
}

/**
 * Minor units as a person reads them, exactly (no float division): 12500 SEK → "125.00 SEK",
 * 1500 JPY → "1500 JPY", 12345 KWD → "12.345 KWD". For messages and logs.
 */
export function formatMinorUnits(minor: number, currencyCode: string): string {
  const exponent = currencyExponent(currencyCode)
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, "0")
  const major = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits
  return `${minor < 0 ? "-" : ""}${major} ${currencyCode.toUpperCase()}`
}

/** Rounds an integer division half up (away from zero for halves), as Kustom's tax rule needs. */
export function divideRounded(numerator: BigNumberInput, denominator: BigNumberInput): number {
  return MathBN.div(numerator, denominator).integerValue(ROUND_HALF_UP).toNumber()
}
