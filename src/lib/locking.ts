import { Modules } from "@medusajs/framework/utils"
import type { ILockingModule, MedusaContainer } from "@medusajs/framework/types"

/**
 * Runs `run` only if this process takes the lock; another instance (or an overlapping run)
 * holding it means the work is being done, so this run does nothing and returns undefined.
 */
export async function withRunLock<T>(container: MedusaContainer, key: string, ttlSeconds: number, run: () => Promise<T>): Promise<T | undefined> {
  const locking = container.resolve<ILockingModule>(Modules.LOCKING)
  const owner = `${key}:${process.pid}:${Math.random().toString(36).slice(2)}`
  const acquired = await locking.acquire(key, { ownerId: owner, expire: ttlSeconds }).then(
    () => true,
    () => false
  )
  if (!acquired) return undefined
  try {
    return await run()
  } finally {
    await locking.release(key, { ownerId: owner }).catch(() => undefined)
  }
}
