import { defineMiddlewares, validateAndTransformBody, validateAndTransformQuery } from "@medusajs/framework/http"
import {
  CreateEnrollmentSchema,
  EmptyBodySchema,
  EmptyQuerySchema,
  LinkLocationSchema,
  ListDevicesQuerySchema,
  ListEnrollmentsQuerySchema,
  SendToDeviceSchema,
  SetDeviceDefaultSchema,
  UpdateDeviceSchema,
} from "./admin/kustom-ipp/validators"
import { refuseWhileCollecting } from "./guards/refuse-while-collecting"

/** Callbacks are small; anything larger is refused before it is read into memory. */
export const CALLBACK_BODY_LIMIT = "64kb"

export default defineMiddlewares({
  routes: [
    {
      matcher: "/hooks/kustom-ipp",
      methods: ["POST"],
      bodyParser: { preserveRawBody: true, sizeLimit: CALLBACK_BODY_LIMIT },
    },
    // Every change to a cart but completing it waits until no clerk is taking its payment.
    ...[
      "/store/carts/:id",
      "/store/carts/:id/line-items",
      "/store/carts/:id/line-items/:line_id",
      "/store/carts/:id/shipping-methods",
      "/store/carts/:id/promotions",
      "/store/carts/:id/customer",
      "/store/carts/:id/taxes",
    ].map((matcher) => ({ matcher, methods: ["POST" as const, "DELETE" as const], middlewares: [refuseWhileCollecting] })),
    {
      matcher: "/admin/kustom-ipp/draft-orders/:id/payment",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(SendToDeviceSchema)],
    },
    // Settings → In-Person Payments, and the admin widgets. Admin authentication applies to all of /admin.
    ...[
      "/admin/kustom-ipp/connection",
      "/admin/kustom-ipp/locations",
      "/admin/kustom-ipp/device-defaults",
      "/admin/kustom-ipp/stock-locations/:id",
      "/admin/kustom-ipp/draft-orders/:id/payment",
      "/admin/kustom-ipp/orders/:id/payment",
    ].map((matcher) => ({ matcher, methods: ["GET" as const], middlewares: [validateAndTransformQuery(EmptyQuerySchema, {})] })),
    {
      matcher: "/admin/kustom-ipp/enrollments",
      methods: ["GET"],
      middlewares: [validateAndTransformQuery(ListEnrollmentsQuerySchema, {})],
    },
    {
      matcher: "/admin/kustom-ipp/enrollments",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(CreateEnrollmentSchema)],
    },
    {
      matcher: "/admin/kustom-ipp/devices",
      methods: ["GET"],
      middlewares: [validateAndTransformQuery(ListDevicesQuerySchema, {})],
    },
    {
      matcher: "/admin/kustom-ipp/devices/:id",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(UpdateDeviceSchema)],
    },
    {
      matcher: "/admin/kustom-ipp/device-defaults",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(SetDeviceDefaultSchema)],
    },
    {
      matcher: "/admin/kustom-ipp/location-links",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(LinkLocationSchema)],
    },
    {
      matcher: "/admin/kustom-ipp/draft-orders/:id/payment/cancel",
      methods: ["POST"],
      middlewares: [validateAndTransformBody(EmptyBodySchema)],
    },
  ],
})
