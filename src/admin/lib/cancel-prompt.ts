import { useConfirm } from "./focus"

/**
 * Asks before a payment is taken off the device, and runs `cancel` when confirmed. Focus goes
 * back to the button that asked (see `useConfirm`); once the cancel succeeds, the caller moves it
 * on, as the button goes away with the payment.
 */
export function useCancelPaymentPrompt(cancel: () => void, description: string): () => Promise<void> {
  const confirm = useConfirm()
  return async () => {
    const confirmed = await confirm({
      title: "Cancel the payment on the device?",
      description,
      confirmText: "Cancel payment",
      cancelText: "Keep it",
      variant: "danger",
    })
    if (confirmed) cancel()
  }
}
