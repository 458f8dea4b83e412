/**
 * Serves the virtual POS device page (static files in `device-page/`): `/device` is its
 * `index.html`, `/device/<file>` a file of it. Only plain relative names resolve inside the
 * folder; anything else (`..`, encoded separators, absolute paths) is a 404.
 */
import { readFile } from "node:fs/promises"
import { extname, join, resolve, sep } from "node:path"
import { notFound } from "./problems"
import type { Reply } from "./router"

export const DEVICE_PAGE_DIR = resolve(__dirname, "device-page")

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
}

export const isDevicePagePath = (path: string): boolean => path === "/device" || path.startsWith("/device/")

/** The file a `/device…` path names inside `dir`, or undefined when it is not a safe name. */
export function devicePageFile(path: string, dir = DEVICE_PAGE_DIR): string | undefined {
  const rest = path === "/device" || path === "/device/" ? "index.html" : path.slice("/device/".length)
  let name: string
  try {
    name = decodeURIComponent(rest)
  } catch {
    return undefined
  }
  const segments = name.split("/")
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("\\") || s.includes("\0"))) return undefined
  const file = resolve(dir, join(...segments))
  // Belt and braces: the resolved file must still be inside the folder.
  return file.startsWith(dir + sep) ? file : undefined
}

export async function serveDevicePage(path: string, dir = DEVICE_PAGE_DIR): Promise<Reply> {
  const file = devicePageFile(path, dir)
  if (!file) throw notFound(`No such device page file: ${path}`)
  let contents: Buffer
  try {
    contents = await readFile(file)
  } catch {
    throw notFound(`No such device page file: ${path}`)
  }
  return {
    status: 200,
    contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    headers: { "cache-control": "no-cache", "x-content-type-options": "nosniff" },
    body: contents,
  }
}
