import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import getRawBody from "raw-body"

export type RequestWithRawBody = MedusaRequest & { rawBody?: Buffer }

/** The body's bytes, or why they were refused (status and a message for the caller). */
export type BodyRead = { bytes: Buffer } | { refused: 400 | 413 | 415; message: string }

/**
 * Reads the body as bytes, whatever its Content-Type, up to `limit` bytes. A compressed body
 * is refused: what arrives is not the bytes the sender signed or meant. After a refusal the
 * rest of the request is read off and dropped, so the answer reaches a client that is still
 * sending instead of the connection being reset under it.
 */
export async function readBodyBytes(req: MedusaRequest, limit: number): Promise<BodyRead> {
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase()
  if (encoding !== "identity" && encoding !== "") {
    await drained(req)
    return { refused: 415, message: "Send the body uncompressed (no Content-Encoding)" }
  }
  try {
    return { bytes: await getRawBody(req, { limit }) }
  } catch (error) {
    await drained(req)
    if ((error as { status?: number }).status === 413) {
      return { refused: 413, message: `The body is larger than ${limit / 1024} KiB` }
    }
    return { refused: 400, message: "The body could not be read" }
  }
}

/**
 * Keeps the body's bytes as `req.rawBody`, parsing nothing: a signature covers the bytes, so
 * nothing is read into objects before it has verified. A refusal is logged as `what` (a
 * rejected callback is what an operator looks for when payments stop becoming orders).
 */
export function readRawBody(limit: number, what: string) {
  return async (req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) => {
    const read = await readBodyBytes(req, limit)
    if ("refused" in read) {
      req.scope.resolve(ContainerRegistrationKeys.LOGGER).warn(`${what} (HTTP ${read.refused}: ${read.message})`)
      res.status(read.refused).json({ type: "invalid_data", message: read.message })
      return
    }
    ;(req as RequestWithRawBody).rawBody = read.bytes
    next()
  }
}

function drained(req: MedusaRequest): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve()
    req.once("end", () => resolve())
    req.once("close", () => resolve())
    req.once("error", () => resolve())
    req.resume()
  })
}
