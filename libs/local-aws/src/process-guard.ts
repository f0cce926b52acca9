import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Makes sure a server child process (DynamoDB Local's JVM) never outlives the Node process that
 * started it. A JVM does not notice its parent dying, so three layers cover the ways we can end:
 *
 * 1. `stop()` on the server (normal path): SIGTERM, then SIGKILL after a grace period.
 * 2. Hooks in this process: `exit` (any `process.exit()` or natural end) and SIGINT / SIGTERM /
 *    SIGHUP send SIGTERM to every guarded child. A signal is then re-raised with the default
 *    action, so the process still dies with the usual 128+n status, unless somebody else also
 *    listens for that signal, in which case it is theirs to handle.
 * 3. A watchdog for what no hook survives: SIGKILL, an OOM kill, a crash in native code.
 *    It is a tiny detached Node process whose stdin is a pipe from us. We never write to it; the
 *    kernel closes the pipe when we die, however we die, so the watchdog reads end-of-file at
 *    once (no polling of our pid, no pid-reuse race on our side) and kills the child, escalating
 *    to SIGKILL if it lingers. It runs in its own process group, so the Ctrl-C that stops us does
 *    not stop it first. It exits by itself when the child is gone. The pipe is close-on-exec, so
 *    other children we spawn do not inherit it and cannot keep it open.
 *
 * The watchdog is Node rather than a shell script so it works wherever Node does.
 */

/** What a guarded child needs to be released once it has been stopped normally. */
export interface ProcessGuard {
  release(): void;
}

/** Process title of the watchdog (followed by the pid it guards), so `ps` shows what it is rather than its source. */
export const WATCHDOG_TITLE = 'dofs-local-aws-watchdog';

const WATCHDOG_SOURCE = `
'use strict';
const pid = Number(process.argv[1]);
const graceMs = Number(process.argv[2]);
process.title = '${WATCHDOG_TITLE} ' + pid;
function alive() {
  try { process.kill(pid, 0); return true; } catch (err) { return err.code === 'EPERM'; }
}
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  try { process.kill(pid, 'SIGTERM'); } catch {}
  // A JVM paused with SIGSTOP acts on the SIGTERM only once it runs again.
  try { process.kill(pid, 'SIGCONT'); } catch {}
  const deadline = Date.now() + graceMs;
  setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() > deadline) {
      try { process.kill(pid, 'SIGKILL'); } catch {}
      process.exit(0);
    }
  }, 50);
}
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
process.stdin.resume();
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', reap);
setInterval(() => { if (!reaping && !alive()) process.exit(0); }, 1000).unref();
`;

/** Time the watchdog gives the child between SIGTERM and SIGKILL. */
const WATCHDOG_GRACE_MS = 3_000;

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const guarded = new Set<ChildProcess>();
const paused = new WeakSet<ChildProcess>();
let hooksInstalled = false;

let terminating = false;

function terminateAll(): void {
  terminating = true;
  for (const child of guarded) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGTERM');
        // A paused child (SIGSTOP) acts on the SIGTERM only once it runs again.
        if (paused.has(child)) child.kill('SIGCONT');
      } catch {
        // Already gone: nothing to stop.
      }
    }
  }
}

function onExit(): void {
  terminateAll();
}

function onSignal(signal: NodeJS.Signals): void {
  terminateAll();
  // Only ours: restore the default action and re-raise, so the process ends as the signal intends.
  if (process.listenerCount(signal) === 1) {
    uninstallHooks();
    process.kill(process.pid, signal);
  }
}

const signalHandlers = new Map<NodeJS.Signals, () => void>(FORWARDED_SIGNALS.map((signal) => [signal, () => onSignal(signal)]));

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  for (const [signal, handler] of signalHandlers) process.on(signal, handler);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', onExit);
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
}

function startWatchdog(childPid: number): ChildProcess | undefined {
  try {
    const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(childPid), String(WATCHDOG_GRACE_MS)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    });
    watchdog.on('error', (err) => process.emitWarning(`local-aws watchdog for pid ${childPid} failed: ${err.message}`));
    // Neither the watchdog nor its pipe may keep this process alive.
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    return watchdog;
  } catch (err) {
    process.emitWarning(`local-aws could not start a watchdog for pid ${childPid}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Guards a running child process (see the file comment). Call `release()` once the child has been
 * stopped; the guard also releases itself when the child exits on its own.
 */
export function guardChildProcess(child: ChildProcess): ProcessGuard {
  if (child.pid === undefined) throw new Error('cannot guard a child process that has no pid');
  guarded.add(child);
  installHooks();
  let watchdog = startWatchdog(child.pid);

  const release = (): void => {
    if (!guarded.delete(child)) return;
    if (watchdog !== undefined) {
      watchdog.stdin?.destroy();
      try {
        watchdog.kill('SIGKILL');
      } catch {
        // It had already exited.
      }
      watchdog = undefined;
    }
    if (guarded.size === 0) uninstallHooks();
  };
  child.once('exit', release);
  return { release };
}

/**
 * Records that a guarded child was stopped with SIGSTOP (or runs again), so the exit hooks also
 * send it SIGCONT: a stopped process would otherwise keep the SIGTERM pending and never end.
 */
export function markPaused(child: ChildProcess, isPaused: boolean): void {
  if (isPaused) paused.add(child);
  else paused.delete(child);
}

/**
 * True once an exit or signal hook has told the guarded children to end: their exits are then
 * part of this process ending, not crashes to recover from.
 */
export function guardIsTerminating(): boolean {
  return terminating;
}

/** Pids of the children currently guarded (for diagnostics and tests). */
export function guardedPids(): number[] {
  return [...guarded].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}
