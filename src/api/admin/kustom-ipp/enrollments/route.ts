import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { CreateEnrollmentBody, ListEnrollmentsQuery } from "../validators"
import {
  ENROLLMENT_REF_KEY,
  kustomCall,
  kustomModule,
  listEnrollmentViews,
  listLocations,
  newEnrollmentRef,
  type EnrollmentView,
} from "../helpers"

export type EnrollmentsResponse = {
  enrollments: EnrollmentView[]
  /** `kustom`: listed by Kustom; `admin`: the codes created in this admin (no merchantId configured). */
  source: "kustom" | "admin"
}

/** Pending and used enrollment codes, pending first. */
export const GET = async (req: AuthenticatedMedusaRequest<unknown, ListEnrollmentsQuery>, res: MedusaResponse<EnrollmentsResponse>) => {
  const query = req.validatedQuery as ListEnrollmentsQuery
  res.json(await listEnrollmentViews(kustomModule(req.scope), { location_id: query.location_id, include_consumed: query.include_consumed }))
}

/** Creates a one-time code a clerk types into the Kustom POS app to register their phone. */
export const POST = async (req: AuthenticatedMedusaRequest<CreateEnrollmentBody>, res: MedusaResponse<{ enrollment: EnrollmentView }>) => {
  const kustom = kustomModule(req.scope)
  const { location_id, expires_in_minutes } = req.validatedBody
  const ref = newEnrollmentRef()
  const enrollment = await kustomCall("creating the enrollment code", () =>
    kustom.client.enrollments.create({
      location_id,
      expires_in: expires_in_minutes * 60_000,
      metadata: { [ENROLLMENT_REF_KEY]: ref },
    })
  )
  await kustom.settings.recordEnrollment(enrollment, ref)
  const locationId = enrollment.location_id ?? location_id ?? null
  const locations = locationId ? await listLocations(kustom).catch(() => []) : []
  res.status(200).json({
    enrollment: {
      enrollment_id: enrollment.enrollment_id,
      enrollment_code: enrollment.enrollment_code,
      status: enrollment.status,
      expires_at: enrollment.expires_at,
      location_id: locationId,
      location_name: locations.find((location) => location.id === locationId)?.name ?? null,
      device_id: null,
      device_name: null,
      created_here: true,
    },
  })
}
