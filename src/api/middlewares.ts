import { defineMiddlewares, validateAndTransformQuery } from "@medusajs/framework/http"
import { adminJsonBody } from "./admin/kustom-ipp/request-body"
import {
  CreateEnrollmentSchema,
  EmptyBodySchema,
  EmptyQuerySchema,
  LinkLocationSchema,
  ListDevicesQuerySchema,
  ListEnrollmentsQuerySchema,
  ListPaymentProblemsQuerySchema,
  SendToDeviceSchema,
  SetDeviceDefaultSchema,
  UpdateDeviceSchema,
} from "./admin/kustom-ipp/validators"
import { readRawBody } from "./body/read-raw-body"
import { checkNewPaymentSession } from "./guards/check-new-payment-session"
import { explainUnpaidInStorePayment } from "./guards/explain-unpaid-in-store-payment"
import { answerKustomUnavailableWith503 } from "./guards/kustom-unavailable"
import { serializePaymentCollectionCreation } from "./guards/payment-change-lock"
import { orderIdOfChange, refuseChangeOfAuthorizedOrder } from "./guards/refuse-change-of-authorized-order"
import { refuseDraftChangeWhileOnDevice, refuseWhileCollecting } from "./guards/refuse-while-collecting"
import { refuseUnreadablePath } from "./guards/refuse-unreadable-path"

/** Callbacks are small; anything larger (64 KiB) is refused before it is read into memory. */
export const CALLBACK_BODY_LIMIT_BYTES = 64 * 1024

export default defineMiddlewares({
  routes: [
    // Before any route reads an id from the path: one that cannot be text is 400, not a 500
    // (also first on each of Medusa's routes below whose guard looks an id up).
    ...["/store/kustom-ipp", "/admin/kustom-ipp"].map((matcher) => ({ matcher, middlewares: [refuseUnreadablePath] })),
    // Where work asks Kustom: the plugin's admin routes, and Medusa's routes that send a payment,
    // capture or refund it through the provider.
    ...[
      "/admin/kustom-ipp/*",
      "/store/payment-collections/:id/payment-sessions",
      "/admin/payment-collections/:id/payment-sessions",
      "/admin/payments/:id/capture",
      "/admin/payments/:id/refund",
    ].map((matcher) => ({ matcher, middlewares: [answerKustomUnavailableWith503] })),
    {
      matcher: "/store/payment-collections",
      methods: ["POST"],
      middlewares: [serializePaymentCollectionCreation],
    },
    // A cart paid in store becomes an order by itself once the device took the money: a
    // storefront completing it before is told where the payment stands, not Medusa's generic refusal.
    {
      matcher: "/store/carts/:id/complete",
      methods: ["POST"],
      middlewares: [refuseUnreadablePath, explainUnpaidInStorePayment],
    },
    {
      matcher: "/hooks/kustom-ipp",
      methods: ["POST"],
      // Not Medusa's parsers: they pick by Content-Type and parse before the signature is checked.
      bodyParser: false,
      middlewares: [readRawBody(CALLBACK_BODY_LIMIT_BYTES, "Kustom In-Person Payments: rejected a callback")],
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
    ].map((matcher) => ({ matcher, methods: ["POST" as const, "DELETE" as const], middlewares: [refuseUnreadablePath, refuseWhileCollecting] })),
    // A draft order keeps the total its payment on a device was sent for (an edit's items,
    // shipping and promotions only take effect when it is confirmed), and is not deleted under it.
    // Once converted, the order keeps it too: no credit line, return, exchange or claim until
    // the payment waiting on the device is paid or cancelled.
    ...[
      "/admin/draft-orders/:id",
      "/admin/draft-orders/:id/edit",
      "/admin/draft-orders/:id/edit/request",
      "/admin/draft-orders/:id/edit/confirm",
      "/admin/orders/:id",
      "/admin/orders/:id/credit-lines",
      "/admin/order-edits/:id/request",
      "/admin/order-edits/:id/confirm",
    ].map((matcher) => ({ matcher, methods: ["POST" as const], middlewares: [refuseUnreadablePath, refuseDraftChangeWhileOnDevice()] })),
    ...(
      [
        ["/admin/returns/:id/request", "return"],
        ["/admin/returns/:id/receive/confirm", "return"],
        ["/admin/exchanges/:id/request", "exchange"],
        ["/admin/claims/:id/request", "claim"],
      ] as const
    ).map(([matcher, kind]) => ({
      matcher,
      methods: ["POST" as const],
      middlewares: [refuseUnreadablePath, refuseDraftChangeWhileOnDevice((req) => orderIdOfChange(req, kind))],
    })),
    // Medusa cancels an order's authorized payment when a change leaves something to pay: an
    // in-store card's hold is then released for the whole sale. Capture first.
    ...(
      [
        ["/admin/returns/:id/request", "return"],
        ["/admin/returns/:id/receive/confirm", "return"],
        ["/admin/exchanges/:id/request", "exchange"],
        ["/admin/claims/:id/request", "claim"],
        ["/admin/order-edits/:id/confirm", "order edit"],
      ] as const
    ).map(([matcher, kind]) => ({ matcher, methods: ["POST" as const], middlewares: [refuseUnreadablePath, refuseChangeOfAuthorizedOrder(kind)] })),
    {
      matcher: "/admin/draft-orders/:id",
      methods: ["DELETE"],
      middlewares: [refuseUnreadablePath, refuseDraftChangeWhileOnDevice()],
    },
    {
      matcher: "/admin/order-edits",
      methods: ["POST"],
      middlewares: [refuseDraftChangeWhileOnDevice((req) => (req.body as { order_id?: unknown } | undefined)?.order_id)],
    },
    // A new payment session replaces the collection's others (Medusa deletes them first): only with
    // data that can work, and never while a clerk is taking the payment.
    {
      matcher: "/store/payment-collections/:id/payment-sessions",
      methods: ["POST"],
      middlewares: [refuseUnreadablePath, checkNewPaymentSession],
    },
    // The admin bodies: JSON objects checked field by field, refusals worded for a person (./admin/kustom-ipp/request-body).
    {
      matcher: "/admin/kustom-ipp/draft-orders/:id/payment",
      methods: ["POST"],
      ...adminJsonBody(SendToDeviceSchema),
    },
    // Settings → In-Person Payments, and the admin widgets. Admin authentication applies to all of /admin.
    ...[
      "/admin/kustom-ipp/connection",
      "/admin/kustom-ipp/locations",
      "/admin/kustom-ipp/location-links",
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
      ...adminJsonBody(CreateEnrollmentSchema),
    },
    {
      matcher: "/admin/kustom-ipp/payment-problems",
      methods: ["GET"],
      middlewares: [validateAndTransformQuery(ListPaymentProblemsQuerySchema, {})],
    },
    {
      matcher: "/admin/kustom-ipp/devices",
      methods: ["GET"],
      middlewares: [validateAndTransformQuery(ListDevicesQuerySchema, {})],
    },
    {
      matcher: "/admin/kustom-ipp/devices/:id",
      methods: ["POST"],
      ...adminJsonBody(UpdateDeviceSchema),
    },
    {
      matcher: "/admin/kustom-ipp/device-defaults",
      methods: ["POST"],
      ...adminJsonBody(SetDeviceDefaultSchema),
    },
    {
      matcher: "/admin/kustom-ipp/location-links",
      methods: ["POST"],
      ...adminJsonBody(LinkLocationSchema),
    },
    {
      matcher: "/admin/kustom-ipp/draft-orders/:id/payment/cancel",
      methods: ["POST"],
      ...adminJsonBody(EmptyBodySchema),
    },
  ],
})
