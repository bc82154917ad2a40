// The CLI proper, loaded by bin.ts once the compile cache is on.
import { execute } from "./execute.js";
import { parseFast } from "./fast-path.js";
import { RUNNERS } from "./runners.js";
import { normalizeWaitFlag } from "./wait-option.js";

// A promise rejected outside any command's await is a bug: report it as one (70), never as
// Node's default exit 1, which would read as "held".
process.on("unhandledRejection", (reason) => {
  process.stderr.write(
    `leasehold: internal error: ${(reason as Error)?.message ?? String(reason)}\n`,
  );
  process.stderr.write(
    "hint: this is a bug; re-run with LEASEHOLD_DEBUG=1 and report the output\n",
  );
  if (process.env.LEASEHOLD_DEBUG === "1")
    process.stderr.write(`${(reason as Error)?.stack ?? ""}\n`);
  process.exit(70);
});

// process.stdout and process.stderr are made on first use, and making one loads Node's tty or
// net code: a silent `is-held` need not pay for either. So nothing here touches them up front;
// the getters are wrapped only to note which streams exist, to drain those before exiting.
const made = new Set<NodeJS.WriteStream>();
for (const name of ["stdout", "stderr"] as const) {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (own?.get && own.configurable) {
    const make = own.get;
    Object.defineProperty(process, name, {
      ...own,
      get() {
        const stream = make.call(process) as NodeJS.WriteStream;
        made.add(stream);
        return stream;
      },
    });
  } else {
    made.add(process[name]);
  }
}
const io = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  env: process.env,
};

const argv = process.argv.slice(2);
const fast = parseFast(normalizeWaitFlag(argv));
let code: number;
if (fast) {
  // Everyday calls skip yargs entirely (see fast-path.ts); the result is the same.
  code = await execute(RUNNERS[fast.command]!(fast.args), fast.global, io, argv);
} else {
  code = await (await import("./main.js")).main(argv);
}
// Exit now: a backend's lingering socket or timer must not keep a finished command alive. But
// first let stdout/stderr drain: writes to a pipe can still be queued, and exit would drop them.
const drained = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => stream.write("", () => resolve()));
await Promise.all([...made].map(drained));
process.exit(code);
