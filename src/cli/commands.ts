import type { Argv } from "yargs";
import { UsageError } from "../lease/errors.js";
import type { GlobalArgs } from "./context.js";
import type { Runner } from "./execute.js";
import { RUNNERS } from "./runners.js";

type Select = (r: Runner, g: GlobalArgs) => void;
type Args = Record<string, unknown> & GlobalArgs;

const resource = {
  type: "string",
  describe: "the resource's name (1-512 bytes of UTF-8)",
} as const;
const leaseId = { type: "string", describe: "the lease id that acquire printed" } as const;
const ttl = {
  type: "string",
  describe: "lease duration: 90s, 30 minutes, 1h30m, PT1H (default from config, else 1 hour)",
} as const;
/** Flags of every command that takes a lease (acquire, run). */
const TAKE_OPTIONS = {
  ttl,
  wait: {
    type: "string",
    describe: "wait for the resource if held: --wait (no limit) or --wait 5m",
  },
  principal: { type: "string", describe: "who holds it (default from config, else user@host)" },
  reason: { type: "string", describe: "why, shown to everyone who finds it held" },
} as const;
const json = { type: "boolean", describe: "print the whole lease as JSON" } as const;

/** Each command's yargs declaration: its name and positionals. */
export const USAGE = {
  acquire: "acquire <resource>",
  release: "release <resource> <lease-id>",
  renew: "renew <resource> <lease-id>",
  current: "current <resource>",
  "is-held": "is-held <resource> <lease-id>",
  run: "run <resource> [command..]",
  wait: "wait <resource>",
  list: "list [prefix]",
  "force-release": "force-release <resource>",
  doctor: "doctor [resource]",
} as const;

/**
 * Declares every command's flags and examples. Handlers only record which command module to
 * load, so start-up never imports a command (or backend) it does not run.
 */
export function registerCommands(y: Argv, select: Select): void {
  const global = (a: Args): GlobalArgs => ({
    config: a.config,
    backend: a.backend,
    quiet: a.quiet,
  });
  y.command(
    USAGE.acquire,
    "take a lease; prints its id on stdout",
    (c) =>
      c
        .positional("resource", resource)
        .options(TAKE_OPTIONS)
        .option("json", json)
        .example(
          "id=$(leasehold acquire prod-db --ttl 30m --reason 'INC-123 failover')",
          "take prod-db for 30 minutes",
        )
        .example(
          "leasehold acquire deploy --wait 10m",
          "wait up to 10 minutes for the current holder",
        ),
    (a: Args) => select(RUNNERS.acquire!(a), global(a)),
  );
  y.command(
    USAGE.release,
    "end a lease",
    (c) =>
      c
        .positional("resource", resource)
        .positional("lease-id", leaseId)
        .example('leasehold release prod-db "$id"', "give prod-db back"),
    (a: Args) => select(RUNNERS.release!(a), global(a)),
  );
  y.command(
    USAGE.renew,
    "extend (or shorten) a lease to a TTL from now",
    (c) =>
      c
        .positional("resource", resource)
        .positional("lease-id", leaseId)
        .option("ttl", ttl)
        .option("json", json)
        .example('leasehold renew prod-db "$id" --ttl 1h', "keep prod-db for another hour"),
    (a: Args) => select(RUNNERS.renew!(a), global(a)),
  );
  y.command(
    USAGE.current,
    "show who holds a resource: principal<TAB>created<TAB>lease id",
    (c) =>
      c
        .positional("resource", resource)
        .option("id-only", { type: "boolean", describe: "print only the lease id" })
        .option("json", json)
        .example("leasehold current prod-db", "who holds prod-db, since when, which lease"),
    (a: Args) => select(RUNNERS.current!(a), global(a)),
  );
  y.command(
    USAGE["is-held"],
    "exit 0 if the lease still holds the resource, 1 if not; prints nothing",
    (c) =>
      c
        .positional("resource", resource)
        .positional("lease-id", leaseId)
        .example('leasehold is-held prod-db "$id" || exit 1', "guard a script step"),
    (a: Args) => select(RUNNERS["is-held"]!(a), global(a)),
  );
  y.command(
    USAGE.run,
    "hold a lease while a command runs: renews it, stops the command if the lease is lost",
    (c) =>
      c
        .positional("resource", resource)
        .positional("command", {
          type: "string",
          array: true,
          describe: "the command and its arguments, after --",
        })
        .options(TAKE_OPTIONS)
        .option("conflict-exit-code", {
          type: "string",
          describe: "exit status when the resource is held (default 125), like flock -E",
        })
        .example(
          "leasehold run prod-db --ttl 10m --reason INC-123 -- ./migrate.sh --apply",
          "migrate while holding prod-db",
        )
        .example(
          "leasehold run nightly --conflict-exit-code 0 -- ./report.sh",
          "cron: skip quietly when the last run is still going",
        )
        .epilog(
          "The command gets LEASEHOLD_RESOURCE, LEASEHOLD_LEASE_ID, LEASEHOLD_FENCE and LEASEHOLD_EXPIRES_AT. Exit status: the command's own (128+n for signal n); 124 if the lease was lost while it ran; 125 if leasehold failed before starting it; 126/127 if it could not be executed/found.",
        ),
    (a: Args) =>
      select(async (ctx) => {
        const { run } = await import("./commands/run.js");
        return run(
          {
            ...a,
            command: runCommand(a),
            conflictExitCode: exitCodeArg(a.conflictExitCode),
          } as never,
          ctx,
        );
      }, global(a)),
  );
  y.command(
    USAGE.wait,
    "block until the resource is free; takes nothing",
    (c) =>
      c
        .positional("resource", resource)
        .option("timeout", { type: "string", describe: "give up after this long (exit 1)" })
        .example(
          "leasehold wait deploy --timeout 30m && ./post-deploy-checks.sh",
          "wait for a deploy to finish",
        ),
    (a: Args) => select(RUNNERS.wait!(a), global(a)),
  );
  y.command(
    USAGE.list,
    "list live leases on the default backend (or --backend), sorted by resource",
    (c) =>
      c
        .positional("prefix", { type: "string", describe: "only resources starting with this" })
        .option("json", { type: "boolean", describe: "one JSON array of leases" })
        .example("leasehold list", "who holds what, and until when")
        .example(
          "leasehold list deploy/ --json | jq '.[].resource'",
          "script over the deploy/ leases",
        ),
    (a: Args) => select(RUNNERS.list!(a), global(a)),
  );
  y.command(
    USAGE["force-release"],
    "break someone's lease (shows the holder, asks unless --yes); the fence still increases",
    (c) =>
      c
        .positional("resource", resource)
        .option("lease", {
          type: "string",
          describe: "break only this lease id (never a newer holder's)",
        })
        .option("yes", {
          alias: "y",
          type: "boolean",
          describe: "do not ask; required without a terminal",
        })
        .example("leasehold force-release prod-db", "shows who holds it and asks before breaking")
        .example(
          'leasehold force-release prod-db --lease "$stale_id" --yes',
          "break exactly that stale lease from a script",
        ),
    (a: Args) => select(RUNNERS["force-release"]!(a), global(a)),
  );
  y.command(
    USAGE.doctor,
    "show the resolved config and where each value came from, and check the backend",
    (c) =>
      c
        .positional("resource", {
          type: "string",
          describe: "also resolve this resource's settings",
        })
        .example(
          "leasehold doctor prod-db",
          "which config, which backend, is it reachable and healthy",
        ),
    (a: Args) => select(RUNNERS.doctor!(a), global(a)),
  );
}

function runCommand(a: Args): string[] {
  const words = [
    ...((a.command as string[] | undefined) ?? []),
    ...((a["--"] as string[] | undefined) ?? []),
  ].map(String);
  if (words.length === 0)
    throw new UsageError("run needs a command after --", {
      hint: "leasehold run RESOURCE -- COMMAND [ARGS...]",
    });
  return words;
}

function exitCodeArg(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new UsageError(
      `--conflict-exit-code must be a whole number from 0 to 255, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
