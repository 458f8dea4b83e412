import { defineMiddlewares, validateAndTransformBody } from "@medusajs/framework/http"
import { SendToDeviceSchema } from "./admin/kustom-ipp/validators"

/** Callbacks are small; anything larger is refused before it is read into memory. */
export const CALLBACK_BODY_LIMIT = "64kb"

export default defineMiddlewares({
  routes: [
    {
      matcher: "/hooks/kustom-ipp",
      methods: ["POST"],
      bodyParser: { preserveRawBody: true, sizeLimit: CALLBACK_BODY_LIMIT },
    },
    {
      matcher: "/admin/kustom-ipp/draft-orders/:id/payment",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(SendToDeviceSchema)],
    },
  ],
})
