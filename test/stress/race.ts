import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type CheckReport, type ClockModel, checkLeases, type LoggedLease } from "./check.js";

const WORKER = resolve(import.meta.dirname, "worker.mjs");

/** One racing run against one backend. */
export interface RaceOptions {
  /** Label for the printed figures, e.g. "redis". */
  readonly label: string;
  /** The `[backend.NAME]` section (and anything else) the workers' config file needs. */
  readonly ini: string;
  /** The backend name the `[default]` section selects. */
  readonly backend: string;
  readonly model: ClockModel;
  readonly processes?: number;
  readonly resources?: number;
  /** Acquisitions wanted in total (split between the processes). */
  readonly target: number;
  /** Wall-clock bound for the whole run; workers stop taking new leases after it. */
  readonly seconds: number;
  readonly ttlMs: number;
}

/** What a run produced: the checker's report plus the workers' own tallies. */
export interface RaceResult extends CheckReport {
  readonly label: string;
  readonly processes: number;
  readonly workerFailures: number;
  readonly tally: Record<string, number>;
  readonly elapsedMs: number;
}

/**
 * Spawns `processes` workers (the built library, one OS process each) racing over a handful of
 * resources, then checks every lease they logged. Prints one summary line for the CI log.
 */
export async function race(o: RaceOptions): Promise<RaceResult> {
  const processes = o.processes ?? 16;
  const dir = mkdtempSync(join(tmpdir(), `leasehold-stress-${o.label}-`));
  try {
    const config = join(dir, "config.ini");
    writeFileSync(config, `[default]\nbackend = ${o.backend}\n\n${o.ini}\n`);
    const run = Math.random().toString(36).slice(2, 8);
    const resources = Array.from({ length: o.resources ?? 4 }, (_, i) => `stress/${run}/r${i}`);
    const perWorker = Math.ceil(o.target / processes);
    const seed = Date.now();
    const workers = Array.from({ length: processes }, (_, i) =>
      startWorker([
        config,
        join(dir, `log-${i}.jsonl`),
        resources.join(","),
        String(perWorker),
        String(o.seconds),
        String(o.ttlMs),
        String(seed + i * 7919),
      ]),
    );
    // Start the race only once every process has loaded the library and reached the backend.
    await Promise.all(workers.map((w) => w.ready));
    const started = Date.now();
    for (const w of workers) w.go();
    const outcomes = await Promise.all(workers.map((w) => w.done));
    const leases: LoggedLease[] = [];
    for (let i = 0; i < processes; i++) {
      const file = join(dir, `log-${i}.jsonl`);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line) leases.push(JSON.parse(line) as LoggedLease);
      }
    }
    const tally: Record<string, number> = {};
    for (const out of outcomes) {
      for (const [k, v] of Object.entries(out.tally ?? {})) tally[k] = (tally[k] ?? 0) + v;
    }
    const result: RaceResult = {
      label: o.label,
      processes,
      workerFailures: outcomes.filter((w) => w.code !== 0).length,
      tally,
      elapsedMs: Date.now() - started,
      ...checkLeases(leases, o.model),
    };
    console.log(summaryLine(result));
    // Backend errors are allowed (a loaded machine times out now and then) but shown.
    const errors = outcomes.flatMap((w) => w.stderr.split("\n").filter(Boolean));
    for (const line of errors.slice(0, 8)) console.log(`  ${line.slice(0, 300)}`);
    for (const v of result.violations.slice(0, 5)) console.log(`VIOLATION ${v.kind}: ${v.detail}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figure line CI logs carry and RELIABILITY.md quotes. */
export function summaryLine(r: RaceResult): string {
  const t = r.tally;
  return (
    `STRESS ${r.label}: ${r.leases} acquisitions checked on ${r.resources} resources by ${r.processes} processes ` +
    `in ${(r.elapsedMs / 1000).toFixed(1)} s; violations = ${r.violations.length}; ` +
    `held-and-retried ${t.held ?? 0}, renewed ${t.renewed ?? 0}, released ${t.released ?? 0}, ` +
    `left to expire ${t.expired ?? 0}, lost before renew/release ${(t.renewLost ?? 0) + (t.releaseLost ?? 0)}, ` +
    `backend errors ${t.errors ?? 0}; smallest proven gap ${r.minGapMs ?? "n/a"} ms`
  );
}

interface WorkerOutcome {
  code: number | null;
  stderr: string;
  tally?: Record<string, number>;
}

/** A spawned worker: `ready` once it has reached the backend, `go()` starts its loop. */
function startWorker(args: string[]): {
  ready: Promise<void>;
  go: () => void;
  done: Promise<WorkerOutcome>;
} {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  // A worker that dies before "ready" must not stall the others: it counts as ready (and failed).
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  child.stdout.on("data", (d) => {
    stdout += d;
    if (stdout.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (d) => (stderr += d));
  child.on("close", () => markReady());
  child.stdin.on("error", () => {}); // a worker that already died cannot be told to go
  const go = () => child.stdin.end("go\n");
  const done = new Promise<WorkerOutcome>((done, fail) => {
    child.on("error", fail);
    // A worker may overrun its deadline by at most a wait plus a timeout; never let one hang CI.
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      let tally: Record<string, number> | undefined;
      try {
        tally = JSON.parse(stdout.trim().split("\n").pop() ?? "") as Record<string, number>;
      } catch {
        tally = undefined;
      }
      done(tally ? { code, stderr, tally } : { code, stderr });
    });
  });
  return { ready, go, done };
}
