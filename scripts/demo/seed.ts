/**
 * Run by the dev store with `medusa exec` (it needs Medusa's container):
 * - DEMO_SEED_MODE=store (first run): the in-store shop of `seedStore`, then the admin user;
 * - DEMO_SEED_MODE=admin: only the admin user, created or given the password asked for.
 * The admin user is DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD. What was made is written as JSON to
 * DEMO_SEED_OUTPUT for the dev store to keep.
 */
import { writeFileSync } from "node:fs"
import type { AuthenticationInput, ExecArgs, MedusaContainer } from "@medusajs/framework/types"
import { FeatureFlag, Modules } from "@medusajs/framework/utils"
import { createUsersWorkflow, updateStoresWorkflow } from "@medusajs/medusa/core-flows"
import { seedStore, type SeededStore } from "../lib/seed-store"

export type SeedOutput = { store?: SeededStore; admin: { email: string; userId: string } }

const EMAILPASS = "emailpass"

/** The admin then shows the shop's name, and its currency and defaults where it offers a choice. */
async function nameTheStore(container: MedusaContainer, seeded: SeededStore): Promise<void> {
  const [store] = await container.resolve(Modules.STORE).listStores({}, { take: 1 })
  if (!store) return
  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: store.id },
      update: {
        name: "Kustom Corner Shop",
        supported_currencies: [{ currency_code: seeded.currencyCode, is_default: true }],
        default_region_id: seeded.regionId,
        default_sales_channel_id: seeded.salesChannelId,
        default_location_id: seeded.stockLocationId,
      },
    },
  })
}

/** Creates the admin user, or sets the password of the one that exists, the way `medusa user` does. */
async function ensureAdminUser(container: MedusaContainer, email: string, password: string): Promise<string> {
  const users = container.resolve(Modules.USER)
  const auth = container.resolve(Modules.AUTH)

  let [user] = await users.listUsers({ email })
  if (!user) {
    // With role-based access on, the first user must be a super admin to see anything.
    const roles: string[] = []
    if (FeatureFlag.isFeatureEnabled("rbac")) {
      const rbac = container.resolve(Modules.RBAC) as { listRbacRoles(filter: { id: string }): Promise<{ id: string }[]> }
      const superAdmin = await rbac.listRbacRoles({ id: "role_super_admin" })
      if (superAdmin[0]) roles.push(superAdmin[0].id)
    }
    const { result } = await createUsersWorkflow(container).run({
      input: { users: [{ email, first_name: "Demo", last_name: "Admin", ...(roles.length ? { roles } : {}) }] },
    })
    user = result[0]
  }

  const [identity] = await auth.listProviderIdentities({ entity_id: email, provider: EMAILPASS })
  if (identity) {
    const updated = await auth.updateProvider(EMAILPASS, { entity_id: email, password })
    if (!updated.success) throw new Error(`Could not set the admin password: ${updated.error}`)
    await auth.updateAuthIdentities({ id: identity.auth_identity_id!, app_metadata: { user_id: user.id } })
  } else {
    const registered = await auth.register(EMAILPASS, { body: { email, password } } as AuthenticationInput)
    if (!registered.success || !registered.authIdentity) throw new Error(`Could not register the admin login: ${registered.error}`)
    await auth.updateAuthIdentities({ id: registered.authIdentity.id, app_metadata: { user_id: user.id } })
  }
  return user.id
}

export default async function seedDemo({ container }: ExecArgs): Promise<void> {
  const output = process.env.DEMO_SEED_OUTPUT
  const email = process.env.DEMO_ADMIN_EMAIL
  const password = process.env.DEMO_ADMIN_PASSWORD
  if (!output || !email || !password) {
    throw new Error("DEMO_SEED_OUTPUT, DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD are required (the dev store sets them)")
  }
  const mode = process.env.DEMO_SEED_MODE ?? "store"
  const store = mode === "store" ? await seedStore(container) : undefined
  if (store) await nameTheStore(container, store)
  const userId = await ensureAdminUser(container, email, password)
  const result: SeedOutput = { store, admin: { email, userId } }
  writeFileSync(output, JSON.stringify(result, null, 2), { mode: 0o600 })
}
