/**
 * An admin user and a bearer token for Medusa's admin API, made the way Medusa's own
 * integration tests make them (a user, an auth identity, a signed JWT).
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { generateJwtToken, Modules } from "@medusajs/framework/utils"

export async function createAdminHeaders(container: MedusaContainer, email = "admin@example.com") {
  const users = container.resolve(Modules.USER)
  const auth = container.resolve(Modules.AUTH)
  const user = await users.createUsers({ email, first_name: "Store", last_name: "Owner" })
  const identity = await auth.createAuthIdentities({
    provider_identities: [{ provider: "emailpass", entity_id: email }],
    app_metadata: { user_id: user.id },
  })
  const token = generateJwtToken(
    { actor_id: user.id, actor_type: "user", auth_identity_id: identity.id, app_metadata: { user_id: user.id } },
    { secret: process.env.JWT_SECRET ?? "supersecret", expiresIn: "1d" }
  )
  return { headers: { authorization: `Bearer ${token}` }, user }
}
