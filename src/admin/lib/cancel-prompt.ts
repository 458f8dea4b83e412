import { usePrompt } from "@medusajs/ui"

/**
 * Asks before a payment is taken off the device, and runs `cancel` when confirmed. The prompt
 * does not give focus back when it is dismissed (Escape, "Keep it"): a keyboard user would
 * otherwise start again from the top of the page, so it is given back to the button.
 */
export function useCancelPaymentPrompt(cancel: () => void, description: string): () => Promise<void> {
  const prompt = usePrompt()
  return async () => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    const confirmed = await prompt({
      title: "Cancel the payment on the device?",
      description,
      confirmText: "Cancel payment",
      cancelText: "Keep it",
      variant: "danger",
    })
    if (confirmed) cancel()
    else opener?.focus()
  }
}
