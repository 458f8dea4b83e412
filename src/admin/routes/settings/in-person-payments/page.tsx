import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCard } from "@medusajs/icons"
import { Container, Heading, Text } from "@medusajs/ui"
import { ConnectionSection } from "../../../components/settings/connection-section"
import { DefaultsSection } from "../../../components/settings/defaults-section"
import { DevicesSection } from "../../../components/settings/devices-section"
import { EnrollmentsSection } from "../../../components/settings/enrollments-section"
import { LocationsSection } from "../../../components/settings/locations-section"
import { PaymentProblemsSection } from "../../../components/settings/payment-problems-section"

/** Settings → In-Person Payments: everything a store owner needs to take card payments on clerks' phones. */
const InPersonPaymentsPage = () => (
  <div className="flex flex-col gap-y-3" data-testid="in-person-payments-page">
    <Container className="px-6 py-4">
      <Heading level="h1">In-Person Payments</Heading>
      <Text size="small" className="text-ui-fg-subtle mt-1">
        Take card payments on a clerk's phone with the Kustom POS app. Choose "Pay in store" on a draft order to send the
        payment to a device; the order is created as soon as it is paid.
      </Text>
    </Container>
    <ConnectionSection />
    <PaymentProblemsSection />
    <EnrollmentsSection />
    <DevicesSection />
    <LocationsSection />
    <DefaultsSection />
  </div>
)

export const config = defineRouteConfig({
  label: "In-Person Payments",
  icon: CreditCard,
})

/** The page's name in the admin's breadcrumb ("Settings › In-Person Payments"), as Medusa's own settings pages have. */
export const handle = {
  breadcrumb: () => "In-Person Payments",
}

export default InPersonPaymentsPage
