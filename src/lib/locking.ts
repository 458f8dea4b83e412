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

/**
 * Waits (polling, up to `waitSeconds`) until this process holds `key`, and returns the release.
 * The lock expires after `expireSeconds` should the holder never release it.
 */
export async function waitForLock(
  container: Pick<MedusaContainer, "resolve">,
  key: string,
  { waitSeconds, expireSeconds }: { waitSeconds: number; expireSeconds: number }
): Promise<() => Promise<void>> {
  const locking = container.resolve<ILockingModule>(Modules.LOCKING)
  const ownerId = `${key}:${process.pid}:${Math.random().toString(36).slice(2)}`
  const deadline = Date.now() + waitSeconds * 1000
  for (;;) {
    try {
      await locking.acquire(key, { ownerId, expire: expireSeconds })
      return () => locking.release(key, { ownerId }).then(() => undefined, () => undefined)
    } catch (error) {
      if (Date.now() >= deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
