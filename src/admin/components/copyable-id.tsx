import { Copy } from "@medusajs/ui"

/**
 * An id a person pastes elsewhere (Kustom's portal, a support request), with a copy button: text
 * in a card cannot be selected with the keyboard alone.
 */
export const CopyableId = ({ id, label }: { id: string; label: string }) => (
  <span className="inline-flex items-center gap-x-1 break-all">
    {id}
    <Copy content={id} aria-label={`Copy ${label}`} className="shrink-0" />
  </span>
)
