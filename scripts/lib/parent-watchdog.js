"use strict"
// Preloaded (`node --require`) into every Medusa CLI process the dev store starts. Those run
// in a process group of their own, so that the dev store can stop them, and every helper they
// spawn, in order; a Ctrl-C in the terminal therefore does not reach them. Should the dev store
// itself die without stopping them (SIGKILL, a crash), nothing else would: so a process whose
// parent is gone stops itself, gracefully first and then with its whole group.
const parentPid = Number(process.env.DEV_STORE_PARENT_PID)

// Only the direct child watches; anything it spawns inherits the variable but has another parent.
if (parentPid > 0 && process.ppid === parentPid) {
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return
    clearInterval(timer)
    try {
      process.kill(process.pid, "SIGTERM")
    } catch {
      // Already exiting.
    }
    setTimeout(() => {
      try {
        process.kill(-process.pid, "SIGKILL")
      } catch {
        process.exit(1)
      }
    }, 5000).unref()
  }, 1000)
  timer.unref()
}
