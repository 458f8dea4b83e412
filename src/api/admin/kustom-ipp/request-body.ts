/**
 * The request bodies of the plugin's admin routes: read as JSON, required to be a JSON object,
 * then checked against the route's zod schema. Every refusal is a 400 `invalid_data` whose
 * message names the field, what is wrong with it and what it must be, e.g.
 * `device_id: must be a device id (text), got an array`.
 *
 * Medusa's own JSON parser is switched off on these routes (`bodyParser: false`), because it
 * runs before any route middleware and, in its strict mode, refuses a body of `null`, `"text"`
 * or `1` with the bare JSON.parse message (`Unexpected token 'n', "null" is not valid JSON`),
 * while it lets `[]` through. Medusa's `validateAndTransformBody` is not used either: its
 * formatter replaces a schema's messages for wrong types and lengths with its own
 * (`Expected type: 'string' for field 'device_id', got: ''`, `Field '' is required` for `[]`).
 * Reading the body after the authentication middleware also means that nothing a caller
 * without an admin session sends is read or parsed.
 */
import type { MedusaNextFunction, MedusaRequest, MedusaResponse, MiddlewareFunction } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { readBodyBytes } from "../../body/read-raw-body"

/** The same limit as Medusa's JSON parser (100 KiB); the largest admin body here is a few hundred bytes. */
export const ADMIN_BODY_LIMIT_BYTES = 100 * 1024

/** A JSON value described for a person: `null`, `an array`, `a number (5)`, `the text "x"`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string": {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value
      return `the text ${JSON.stringify(shown)}`
    }
    case "number":
      return `a number (${value})`
    case "boolean":
      return String(value)
    case "object":
      return "an object"
    default:
      return typeof value
  }
}

function invalid(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, message)
}

/**
 * Reads the body as JSON and requires a JSON object; an empty body counts as `{}` (as with
 * Medusa's parser). Sets `req.body`.
 */
export function readJsonObjectBody(limit = ADMIN_BODY_LIMIT_BYTES) {
  return async function readJsonObject(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
    try {
      // Already parsed by a parser the store added in front of Medusa's: use what it made.
      if ((req as { _body?: boolean })._body) {
        req.body = req.body ?? {}
      } else {
        const read = await readBodyBytes(req, limit)
        if ("refused" in read) {
          res.status(read.refused).json({ type: MedusaError.Types.INVALID_DATA, message: read.message })
          return
        }
        const bytes = read.bytes
        if (bytes.length === 0) {
          req.body = {}
        } else {
          const [mediaType, ...parameters] = String(req.headers["content-type"] ?? "").split(";").map((part) => part.trim().toLowerCase())
          if (mediaType !== "application/json" && !mediaType.endsWith("+json")) {
            throw invalid(`Send the request body as JSON, with Content-Type: application/json (got ${mediaType ? mediaType : "no Content-Type"})`)
          }
          const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "")
          if (charset && charset !== "utf-8" && charset !== "utf8") {
            throw invalid(`Send the request body in UTF-8 (got charset ${charset})`)
          }
          try {
            req.body = JSON.parse(bytes.toString("utf8"))
          } catch (error) {
            throw invalid(`The request body is not valid JSON: ${(error as Error).message}`)
          }
        }
      }
      const body: unknown = req.body
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw invalid(`The request body must be a JSON object ({ … }), got ${describeValue(body)}`)
      }
      next()
    } catch (error) {
      next(error)
    }
  }
}

/**
 * `device_id: must be …`, the first problem of each field (zod goes on checking a value of the
 * wrong type, e.g. the length of an array sent for a text); unknown fields are named with the
 * fields the route takes.
 */
export function formatBodyIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string {
  const accepted = schema instanceof z.ZodObject ? Object.keys(schema.shape) : []
  const seen = new Set<string>()
  const messages = issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".")
    if (issue.code !== "unrecognized_keys") {
      if (seen.has(path)) return []
      seen.add(path)
    }
    if (issue.code === "unrecognized_keys") {
      const prefix = path ? `${path}.` : ""
      return issue.keys.map(
        (key) => `${prefix}${key}: is not a field of this request${!path && accepted.length ? ` (it takes ${accepted.join(", ")})` : ""}`
      )
    }
    return [path ? `${path}: ${issue.message}` : issue.message]
  })
  return messages.slice(0, 5).join("; ")
}

/** Checks `req.body` against the schema and sets `req.validatedBody`, as Medusa's validateAndTransformBody does. */
export function validateBody(schema: z.ZodType) {
  return async function validateAdminBody(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
    try {
      const result = await schema.safeParseAsync(req.body)
      if (!result.success) throw invalid(formatBodyIssues(result.error.issues, schema))
      req.validatedBody = result.data
      next()
    } catch (error) {
      next(error)
    }
  }
}

/**
 * The middleware-route fields for an admin route's JSON body: Medusa's parser off, then
 * {@link readJsonObjectBody} and {@link validateBody}.
 */
export function adminJsonBody(schema: z.ZodType): { bodyParser: false; middlewares: MiddlewareFunction[] } {
  return { bodyParser: false, middlewares: [readJsonObjectBody(), validateBody(schema)] }
}
