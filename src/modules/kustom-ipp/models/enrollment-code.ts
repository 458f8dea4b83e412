import { model } from "@medusajs/framework/utils"

/**
 * An enrollment code created from this admin. Kustom only lists enrollments to callers that
 * send a merchant id; without one configured, these rows are what the admin lists. The code is
 * a single-use pairing secret of a short life, shown to the store owner anyway.
 */
export const KustomIppEnrollmentCode = model
  .define("kustom_ipp_enrollment_code", {
    id: model.id({ prefix: "kipenr" }).primaryKey(),
    enrollment_id: model.text().unique(),
    enrollment_code: model.text(),
    location_id: model.text().nullable(),
    expires_at: model.dateTime(),
    /** Only ever set to CANCELLED here; consumption and expiry are read from Kustom and the clock. */
    status: model.enum(["PENDING", "CONSUMED", "EXPIRED", "CANCELLED"]).default("PENDING"),
    device_id: model.text().nullable(),
  })
  .indexes([{ on: ["location_id"] }])
