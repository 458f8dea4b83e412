/**
 * The development store for a browser test, started in a child process (see run-dev-store.ts)
 * and stopped with SIGTERM, which the store handles by stopping Medusa, PostgreSQL and the
 * playground in order.
 */
import { spawn, type ChildProcess } from "child_process"
import path from "path"
import type { DevStore } from "../../scripts/lib/dev-store"

const ROOT = path.resolve(__dirname, "..", "..")
const READY_PREFIX = "DEV_STORE_READY "
const START_TIMEOUT_MS = 300_000
const STOP_TIMEOUT_MS = 60_000

export type DevStoreInfo = Omit<DevStore, "stop">

export type DevStoreProcess = DevStoreInfo & { stop(): Promise<void>; output(): string }

export async function startDevStoreProcess(dataDir: string): Promise<DevStoreProcess> {
  const child: ChildProcess = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "run-dev-store.ts"), dataDir], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "development" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))

  const info = await new Promise<DevStoreInfo>((resolve, reject) => {
    let stdout = ""
    const timer = setTimeout(() => reject(new Error(`the development store did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS)
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = stdout.split("\n").find((candidate) => candidate.startsWith(READY_PREFIX))
      if (line) {
        clearTimeout(timer)
        resolve(JSON.parse(line.slice(READY_PREFIX.length)) as DevStoreInfo)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the development store exited (${code}) before it was ready:\n${output}`))
    })
  })

  return {
    ...info,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return
      child.kill("SIGTERM")
      const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS).unref())
      if ((await Promise.race([exited, timeout])) === "timeout") child.kill("SIGKILL")
    },
  }
}
