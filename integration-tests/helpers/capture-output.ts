/**
 * Everything the process writes while a suite runs: stdout, stderr, console and Medusa's logger,
 * so that a test can look for secrets in it.
 */
import { logger } from "@medusajs/framework/logger"

export function captureOutput(): { text(): string; restore(): void } {
  const chunks: string[] = []
  const restores: (() => void)[] = []
  const wrap = <T extends object>(target: T, key: keyof T) => {
    const original = target[key] as unknown as (...args: unknown[]) => unknown
    ;(target as Record<keyof T, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
      chunks.push(
        args
          .map((arg) => {
            if (typeof arg === "string") return arg
            if (Buffer.isBuffer(arg)) return arg.toString("utf8")
            try {
              return arg instanceof Error ? `${arg.message}\n${arg.stack}` : JSON.stringify(arg)
            } catch {
              return String(arg)
            }
          })
          .join(" ")
      )
      return original.apply(this, args)
    }
    restores.push(() => {
      ;(target as Record<keyof T, unknown>)[key] = original
    })
  }
  wrap(process.stdout, "write")
  wrap(process.stderr, "write")
  for (const method of ["log", "info", "warn", "error", "debug"] as const) wrap(console, method)
  for (const method of ["info", "warn", "error", "debug", "log", "panic", "failure", "success", "progress", "activity"] as const) {
    if (typeof (logger as unknown as Record<string, unknown>)[method] === "function") wrap(logger as unknown as Record<string, unknown>, method)
  }
  return {
    text: () => chunks.join("\n"),
    restore: () => restores.reverse().forEach((restore) => restore()),
  }
}
