/**
 * `npm run demo`, run as a person or CI runs it: in child processes, on a fresh temporary data
 * folder, with no database environment (so on the embedded PostgreSQL) and on free ports.
 * The tests share one data folder, in order: the scripted sale on the fresh folder (first run:
 * migrations and seeding), then two interactive starts on the same folder (no seeding, the same
 * publishable key), each stopped with SIGINT and checked to leave no process behind.
 *
 *   npm run test:demo
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { freePort } from "../../scripts/lib/embedded-database"
import { LOG_DIR, POSTGRES_DIR, readRunInfo, readState } from "../../scripts/lib/dev-store-state"
import { descendantsOf, isAlive, isGroupAlive, postmasterPidOf, signal, signalGroup, waitUntil } from "../../scripts/lib/processes"

const ROOT = resolve(__dirname, "..", "..")
const BIN = join(ROOT, "scripts", "demo", "bin.js")
/** 1 × mug 125 + 1 × T-shirt 249 + pick-up 10, plus 25 % VAT: what the seeded store charges. */
const EXPECTED_TOTAL = 480
/** When Medusa answered, in seconds since the start: `[ 31.9s] ✓ Medusa (http://localhost:…)`. */
const MEDUSA_UP = /\[\s*([\d.]+)s\] ✓ Medusa \(/
const RESULT_KEYS = ["order_id", "display_id", "total", "currency_code", "ipp_session_id", "kustom_order_id", "ms"]

type Exit = { code: number | null; signal: NodeJS.Signals | null }

type DemoProcess = {
  child: ChildProcess
  stdout(): string
  stderr(): string
  exited: Promise<Exit>
  /** Resolves with the match once stdout matches; rejects when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>
}

const started: DemoProcess[] = []

/** The environment of a machine without any database configured. */
function demoEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of [
    "DATABASE_URL",
    "DB_HOST",
    "DB_PORT",
    "DB_USERNAME",
    "DB_PASSWORD",
    "DB_NAME",
    "KUSTOM_IPP_API_KEY",
    "KUSTOM_IPP_WEBHOOK_SECRET",
    "NODE_OPTIONS",
    "NODE_ENV",
  ]) {
    delete env[key]
  }
  return { ...env, ...extra }
}

function runDemo(command: string, args: string[], env: NodeJS.ProcessEnv): DemoProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  const listeners = new Set<() => void>()
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
    for (const listener of listeners) listener()
  })
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const exited = new Promise<Exit>((done) => child.once("exit", (code, signalName) => done({ code, signal: signalName })))
  const demo: DemoProcess = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs) {
      return new Promise((done, fail) => {
        const check = () => {
          const match = pattern.exec(stdout)
          if (!match) return
          finish()
          done(match)
        }
        const timer = setTimeout(() => {
          finish()
          fail(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${stdout}\n${stderr}`))
        }, timeoutMs)
        const finish = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        exited.then((exit) => {
          finish()
          fail(new Error(`the demo exited (${exit.code ?? exit.signal}) before ${pattern}; output:\n${stdout}\n${stderr}`))
        })
        check()
      })
    },
  }
  started.push(demo)
  return demo
}

function lastLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim())
  return lines[lines.length - 1] ?? ""
}

function seconds(match: RegExpMatchArray | null): number {
  if (!match) throw new Error("no timing in the output")
  return Number(match[1])
}

describe("npm run demo", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "kustom-ipp-demo-"))
  let medusaPort: number
  let playgroundPort: number
  let env: NodeJS.ProcessEnv
  let firstRunSeconds: number
  let publishableKey: string

  beforeAll(async () => {
    medusaPort = await freePort()
    do playgroundPort = await freePort()
    while (playgroundPort === medusaPort)
    env = demoEnv({ DEMO_DIR: dataDir, MEDUSA_PORT: String(medusaPort), PLAYGROUND_PORT: String(playgroundPort) })
  })

  afterAll(async () => {
    // Only after a failure is anything still running: stop what these tests started, by pid.
    for (const demo of started) {
      if (demo.child.exitCode === null && demo.child.signalCode === null) {
        demo.child.kill("SIGINT")
        await Promise.race([demo.exited, new Promise((done) => setTimeout(done, 20_000))])
        demo.child.kill("SIGKILL")
      }
    }
    const run = readRunInfo(dataDir)
    if (run?.pids.medusa && isGroupAlive(run.pids.medusa)) signalGroup(run.pids.medusa, "SIGKILL")
    const postmaster = postmasterPidOf(join(dataDir, POSTGRES_DIR))
    if (postmaster && isAlive(postmaster)) {
      signal(postmaster, "SIGQUIT")
      await waitUntil(() => !isAlive(postmaster), 10_000)
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it("--scripted makes one in-store sale on a fresh data folder with the embedded PostgreSQL", async () => {
    const demo = runDemo("npm", ["run", "demo", "--", "--scripted"], env)
    const exit = await demo.exited
    const output = demo.stdout()
    expect({ exit, output: output + demo.stderr() }).toEqual({ exit: { code: 0, signal: null }, output: expect.any(String) })

    expect(output).toContain("✓ PostgreSQL (embedded")
    expect(output).toMatch(/✓ migrations \(/)
    expect(output).toMatch(/✓ store seeded/)
    expect(output).toMatch(/✓ signed callback ipp\.session\.finalized accepted by the store \(200\)/)
    expect(output).toMatch(/✓ captured payment .* = the Kustom session's order_amount/)
    // Each stage with its time: `[ 3.2s] ✓ …`.
    expect(output).toMatch(/^\[\s*\d+\.\ds\] ✓ /m)
    expect(output).toMatch(/store ready \(first run: [\d.]+s\)/)
    firstRunSeconds = seconds(MEDUSA_UP.exec(output))

    const result = JSON.parse(lastLine(output)) as Record<string, unknown>
    expect(Object.keys(result)).toEqual(RESULT_KEYS)
    expect(result).toEqual({
      order_id: expect.stringMatching(/^order_/),
      display_id: expect.any(Number),
      total: EXPECTED_TOTAL,
      currency_code: "sek",
      ipp_session_id: expect.any(String),
      kustom_order_id: expect.any(String),
      ms: expect.any(Number),
    })

    // Stopped cleanly: nothing of the run is left.
    expect(readRunInfo(dataDir)).toBeUndefined()
    const postmaster = postmasterPidOf(join(dataDir, POSTGRES_DIR))
    expect(postmaster === undefined || !isAlive(postmaster)).toBe(true)
    publishableKey = readState(dataDir)!.database!.seed!.publishableKey
    const { apiKey, webhookSecret } = readState(dataDir)!
    // Neither the console nor the logs in the data folder hold a secret.
    const logs = readdirSync(join(dataDir, LOG_DIR)).map((file) => readFileSync(join(dataDir, LOG_DIR, file), "utf8"))
    expect(logs.length).toBeGreaterThanOrEqual(2)
    for (const text of [output, ...logs]) {
      expect(text).not.toContain(apiKey)
      expect(text).not.toContain(webhookSecret)
    }
    expect(publishableKey).toMatch(/^pk_/)
  })

  it("starts again on the same data folder without seeding, twice, and Ctrl-C leaves no process behind", async () => {
    for (const round of [1, 2]) {
      const demo = runDemo(process.execPath, [BIN], env)
      await demo.waitFor(/is ready \(restart: ([\d.]+)s\)/, 180_000)
      await demo.waitFor(/Ctrl-C stops everything/, 5_000)
      const output = demo.stdout()

      expect(output).toContain("✓ migrations already applied")
      expect(output).toContain("✓ store already seeded")
      expect(output).not.toMatch(/seeding|store seeded/)
      // Compared up to Medusa answering: after it, only this start serves (and compiles) the admin.
      expect(seconds(MEDUSA_UP.exec(output))).toBeLessThan(firstRunSeconds)
      expect(output).toContain(`publishable key ${publishableKey}`)
      // Secrets are said where they are kept, never printed.
      const secrets = readState(dataDir)!
      expect(output).toContain(`API key: "apiKey" in `)
      for (const secret of [secrets.apiKey, secrets.webhookSecret, secrets.jwtSecret, secrets.cookieSecret]) {
        expect(output).not.toContain(secret)
      }
      expect(output).toContain(`/device?device=${readState(dataDir)!.deviceId}`)

      // The admin serves, and its printed credentials log in over plain http.
      const adminUrl = /Admin\s+(http:\/\/\S+\/app)/.exec(output)![1]
      const [, email, password] = /email (\S+)\s+password (\S+)/.exec(output)!
      expect(adminUrl).toBe(`http://localhost:${medusaPort}/app`)
      expect((await fetch(`${adminUrl}/`)).status).toBe(200)
      const login = await fetch(`http://localhost:${medusaPort}/auth/user/emailpass`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      })
      expect(login.status).toBe(200)
      expect(((await login.json()) as { token?: string }).token).toEqual(expect.any(String))

      if (round === 1) {
        // The scripted sale also runs against a demo that is already running.
        const scripted = runDemo(process.execPath, [BIN, "--scripted"], env)
        const exit = await scripted.exited
        expect({ exit, output: scripted.stdout() + scripted.stderr() }).toEqual({ exit: { code: 0, signal: null }, output: expect.any(String) })
        expect(scripted.stdout()).toContain("using the demo already running on this data folder")
        expect(JSON.parse(lastLine(scripted.stdout()))).toMatchObject({ total: EXPECTED_TOTAL, currency_code: "sek" })
      }

      // Every process the demo started: Medusa and what it spawned, PostgreSQL and its backends.
      const run = readRunInfo(dataDir)!
      expect(run.pid).toBe(demo.child.pid)
      const postmaster = postmasterPidOf(join(dataDir, POSTGRES_DIR))!
      expect(run.pids.postgres).toBe(postmaster)
      const pids = new Set([demo.child.pid!, run.pids.medusa!, postmaster, ...descendantsOf(demo.child.pid!)])
      expect(pids).toContain(run.pids.medusa)
      expect([...pids].every(isAlive)).toBe(true)
      expect(descendantsOf(demo.child.pid!)).toEqual(expect.arrayContaining([run.pids.medusa, postmaster]))

      demo.child.kill("SIGINT")
      const exit = await demo.exited
      expect(exit).toEqual({ code: 0, signal: null })
      expect(demo.stdout()).toContain("Stopped.")
      // The demo exits only once they are gone; a moment more for the init process to reap them.
      await waitUntil(() => [...pids].every((pid) => !isAlive(pid)), 5_000)
      expect([...pids].filter(isAlive)).toEqual([])
      expect(isGroupAlive(run.pids.medusa!)).toBe(false)
      expect(readRunInfo(dataDir)).toBeUndefined()
    }
  })

  it("reports a port already in use, naming the port and its variable, and starts nothing", async () => {
    for (const variable of ["MEDUSA_PORT", "PLAYGROUND_PORT"]) {
      const port = await freePort()
      const blocker: Server = createServer()
      await new Promise<void>((done) => blocker.listen(port, "127.0.0.1", done))
      try {
        const demo = runDemo(process.execPath, [BIN], { ...env, [variable]: String(port) })
        const exit = await demo.exited
        expect(exit.code).toBe(3)
        expect(demo.stderr()).toContain(`Port ${port} is already in use (${variable})`)
        expect(demo.stdout()).not.toContain("PostgreSQL (")
        expect(readRunInfo(dataDir)).toBeUndefined()
      } finally {
        await new Promise((done) => blocker.close(done))
      }
    }
  })
})
