import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { uniqueName } from "../support/names.js";
import { runCliInPty } from "../support/pty.js";

const ESC = "\x1b[";

describe("on a terminal", () => {
  it("list prints an aligned table with a bold header, and no colour with NO_COLOR", async () => {
    const p = uniqueName("tty-list");
    await runCli(["acquire", `${p}/one`, "--reason", "INC-1"]);
    await runCli(["acquire", `${p}/two-longer-name`]);
    const res = await runCliInPty(["list", `${p}/`]);
    expect(res.code).toBe(0);
    expect(res.output).toContain(`${ESC}1mRESOURCE`);
    const lines = res.output.split("\n").filter((l) => l.includes(p));
    expect(lines).toHaveLength(2);
    expect(res.output).toMatch(/59m|1h/);
    const plain = await runCliInPty(["list", `${p}/`], { env: { NO_COLOR: "1" } });
    expect(plain.output).not.toContain(ESC);
    expect(plain.output).toMatch(/RESOURCE\s+PRINCIPAL\s+REASON\s+HELD FOR\s+EXPIRES IN\s+FENCE/);
    const out = plain.output.split("\n");
    const header = out.find((l) => l.startsWith("RESOURCE"))!;
    for (const row of out.filter((l) => l.includes(p))) {
      // REASON may be empty; the other columns always have a value.
      for (const col of ["PRINCIPAL", "HELD FOR", "FENCE"]) {
        const at = header.indexOf(col);
        expect(row[at - 1]).toBe(" ");
        expect(col === "FENCE" ? row.at(-1) : row[at]).not.toBe(" ");
      }
    }
  }, 60_000);

  it("acquire on a held resource explains in human time; current adds a human line", async () => {
    const r = uniqueName("tty-held");
    await runCli(["acquire", r, "--ttl", "20m", "--reason", "db failover"]);
    const res = await runCliInPty(["acquire", r], { env: { NO_COLOR: "1" } });
    expect(res.code).toBe(1);
    expect(res.output).toMatch(
      /is held by .+ \("db failover"\), held for \d+s, expires in (19|20)m/,
    );
    expect(res.output).toMatch(/hint: retry with --wait/);
    const cur = await runCliInPty(["current", r], { env: { NO_COLOR: "1" } });
    expect(cur.output).toMatch(/expires in (19|20)m/);
  }, 60_000);

  it("force-release asks y/N: N keeps the lease, y breaks it", async () => {
    const r = uniqueName("tty-force");
    const id = (await runCli(["acquire", r, "--principal", "carol@host"])).stdout.trim();
    const no = await runCliInPty(["force-release", r], { input: "n\n" });
    expect(no.output).toMatch(/Break carol@host's lease on .*\[y\/N\]/);
    expect(no.code).toBe(1);
    expect((await runCli(["is-held", r, id])).code).toBe(0);
    const yes = await runCliInPty(["force-release", r], { input: "y\n" });
    expect(yes.code).toBe(0);
    expect(yes.output).toMatch(/broke carol@host's lease/);
    expect((await runCli(["is-held", r, id])).code).toBe(1);
  }, 60_000);

  it("shows one live waiting line while acquire --wait waits, and clears it", async () => {
    const r = uniqueName("tty-wait");
    await runCli(["acquire", r, "--ttl", "2s", "--principal", "dave@host"]);
    const res = await runCliInPty(["acquire", "--wait", "20s", r], { env: { NO_COLOR: "1" } });
    expect(res.code).toBe(0);
    expect(res.output).toMatch(/waiting for .*: held by dave@host, expires in \ds/);
    expect(res.output).toMatch(/\x1b\[2K/);
  }, 60_000);
});
