import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { kustomCall, kustomModule } from "../../helpers"

/** Cancels a pending enrollment code, so it can no longer register a device. */
export const DELETE = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const kustom = kustomModule(req.scope)
  const enrollmentId = req.params.id
  await kustomCall("cancelling the enrollment code", () => kustom.client.enrollments.cancel(enrollmentId)).catch((error) => {
    if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_ALLOWED) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        "This code can no longer be cancelled: it has already been used, has expired or was cancelled. Refresh the list."
      )
    }
    if (error instanceof MedusaError && error.type === MedusaError.Types.NOT_FOUND) {
      throw new MedusaError(MedusaError.Types.NOT_FOUND, `Kustom has no enrollment code ${enrollmentId}. Refresh the list.`)
    }
    throw error
  })
  await kustom.settings.markEnrollmentCancelled(enrollmentId)
  res.json({ id: enrollmentId, object: "kustom_ipp_enrollment", deleted: true })
}
