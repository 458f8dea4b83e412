import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { refusedCharacterMessage } from "../../lib/text"

/**
 * Why the path of a request to the plugin's routes names nothing that can exist, or null: a
 * part that is not percent-encoded UTF-8 (`%C3%28`, half a character), or that decodes to a
 * control character (`%00`). Express would fail to decode the first (Medusa answers 500) and
 * PostgreSQL to look up the second (500 again); neither can be an id.
 */
export function unreadablePathProblem(path: string): string | null {
  for (const part of path.split("/")) {
    let decoded: string
    try {
      decoded = decodeURIComponent(part)
    } catch {
      return `The address is not valid: ${JSON.stringify(part.slice(0, 100))} is not percent-encoded UTF-8 text`
    }
    const refused = refusedCharacterMessage(decoded)
    if (refused) return `The address is not valid: an id in it ${refused}`
  }
  return null
}

/** Answers 400 `invalid_data` to a request whose path cannot name anything (see above). */
export function refuseUnreadablePath(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  const problem = unreadablePathProblem(req.path)
  next(problem ? new MedusaError(MedusaError.Types.INVALID_DATA, problem) : undefined)
}
