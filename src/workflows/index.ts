export * from "./process-kustom-ipp-session"
export * from "./receive-kustom-ipp-callback"
export * from "./send-draft-order-to-device"
export * from "./withdraw-order-in-store-payments"
