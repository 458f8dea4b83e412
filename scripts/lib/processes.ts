/**
 * Small process and port utilities for the dev store, the demo and their tests. Everything here
 * acts on process ids the caller recorded itself; nothing looks processes up by name.
 */
import { readdirSync, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"

/** Whether a process exists (a zombie counts until its parent reaps it). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Whether any process is left in the process group. */
export function isGroupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 0) return false
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Sends a signal and reports whether it was delivered; a process that is already gone is no error. */
export function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name)
    return true
  } catch {
    return false
  }
}

export function signalGroup(pgid: number, name: NodeJS.Signals): boolean {
  return pgid > 0 && signal(-pgid, name)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `probe` until it is true; false when `timeoutMs` passed first. */
export async function waitUntil(probe: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (probe()) return true
    await sleep(intervalMs)
  }
  return probe()
}

/** The command line of a process (Linux `/proc`), or undefined when it is gone or unreadable. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim()
  } catch {
    return undefined
  }
}

/**
 * Every process below `pid` (children, grandchildren…), from Linux `/proc`. The demo's tests use
 * it to record what the demo started before they stop it.
 */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>()
  let entries: string[]
  try {
    entries = readdirSync("/proc")
  } catch {
    return []
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8")
    } catch {
      continue
    }
    // The command name is in parentheses and may contain spaces; the parent pid follows it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const parent = Number(fields[1])
    const list = children.get(parent) ?? []
    list.push(Number(entry))
    children.set(parent, list)
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

/** The postmaster's pid from a PostgreSQL data folder, when its lock file is there. */
export function postmasterPidOf(pgDataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(pgDataDir, "postmaster.pid"), "utf8").split("\n")[0])
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/** Whether something already listens on the port, on all interfaces or on loopback. */
export async function isPortInUse(port: number): Promise<boolean> {
  for (const host of [undefined, "127.0.0.1"]) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code !== "EADDRINUSE" && error.code !== "EACCES"))
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
    })
    if (!free) return true
  }
  return false
}
