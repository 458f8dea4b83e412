import { Heading, Text } from "@medusajs/ui"
import type { ReactNode } from "react"

/**
 * A section header as Medusa's own settings pages draw it. With `headingId` the heading can take
 * focus from script (not by Tab): where focus goes when the control that had it goes away.
 */
export const SectionHeader = ({
  title,
  description,
  actions,
  headingId,
}: {
  title: string
  description?: ReactNode
  actions?: ReactNode
  headingId?: string
}) => (
  <div className="flex items-center justify-between gap-x-4 px-6 py-4">
    <div>
      <Heading level="h2" id={headingId} tabIndex={headingId ? -1 : undefined} className={headingId ? "outline-none" : undefined}>
        {title}
      </Heading>
      {description && (
        <Text size="small" className="text-ui-fg-subtle mt-1">
          {description}
        </Text>
      )}
    </div>
    {actions && <div className="flex shrink-0 items-center gap-x-2">{actions}</div>}
  </div>
)

/** One "label: value" row. */
export const SectionRow = ({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) => (
  <div className="text-ui-fg-subtle grid grid-cols-[minmax(0,1fr)_minmax(0,2fr)] items-start gap-x-4 px-6 py-4" data-testid={testId}>
    <Text size="small" weight="plus" leading="compact">
      {label}
    </Text>
    <div className="text-ui-fg-base min-w-0">{children}</div>
  </div>
)

/** A message for an empty list, or for a list that could not be loaded. */
export const EmptyState = ({ children, error }: { children: ReactNode; error?: boolean }) => (
  <div className="px-6 py-6">
    <Text size="small" className={error ? "text-ui-fg-error" : "text-ui-fg-subtle"}>
      {children}
    </Text>
  </div>
)
