import { chmodSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfigFile } from "../../src/config/ini.js";
import { exposedSecretsWarning, literalSecrets } from "../../src/config/permissions.js";
import { runCli, writeConfig } from "../support/cli.js";

const SECRET = "pw-Zq8v-never-print-me";

describe("config files holding secrets", () => {
  it("finds literal passwords, secret keys, tokens and URL passwords, but not ${VAR} references", () => {
    const file = parseConfigFile(
      "/x.ini",
      [
        "[backend.redis]",
        `url = redis://user:${SECRET}@10.0.0.1:6379`,
        `password = ${SECRET}`,
        "[backend.s3]",
        `secret_access_key = ${SECRET}`,
        `session_token = ${SECRET}`,
        "access_key_id = AKIAEXAMPLE",
        "[backend.pg]",
        "url = postgres://app:${PGPASS}@db/leases",
        "password = ${PGPASS}",
        "[backend.etcd]",
        "endpoints = http://10.0.0.1:2379",
      ].join("\n"),
    );
    expect(literalSecrets(file).map((s) => `${s.section}.${s.key}:${s.line}`)).toEqual([
      "backend.redis.url:2",
      "backend.redis.password:3",
      "backend.s3.secret_access_key:5",
      "backend.s3.session_token:6",
    ]);
    const warning = exposedSecretsWarning(file, 0o100644);
    expect(warning).toMatch(/readable by everyone \(mode 0644\).*chmod 600/);
    expect(warning).not.toContain(SECRET);
    expect(exposedSecretsWarning(file, 0o100640)).toMatch(/readable by its group/);
    expect(exposedSecretsWarning(file, 0o100600)).toBeUndefined();
    expect(exposedSecretsWarning(file, 0o100400)).toBeUndefined();
  });

  it("the CLI warns on stderr for a group/world-readable file with secrets, and not once it is chmod 600", async () => {
    const path = writeConfig("secrets-perm.ini", `[backend.sqlite]\npassword = ${SECRET}\n`);
    // sqlite has no password option: the refusal (exit 2) comes after the warning, and neither
    // the refusal nor the warning may show the value.
    chmodSync(path, 0o644);
    const loose = await runCli(["-c", path, "current", "r"]);
    expect(loose.stderr).toMatch(
      /warning: .*secrets-perm\.ini holds credentials \(password on line 2\).*chmod 600/,
    );
    chmodSync(path, 0o640);
    expect((await runCli(["-c", path, "current", "r"])).stderr).toMatch(/readable by its group/);
    chmodSync(path, 0o600);
    const tight = await runCli(["-c", path, "current", "r"]);
    expect(tight.stderr).not.toMatch(/warning/);
    for (const r of [loose, tight]) expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
  });

  it("no warning for a readable file whose secrets come from the environment", async () => {
    const path = writeConfig(
      "secrets-env.ini",
      "[backend.redis]\nurl = redis://:${LH_PW}@127.0.0.1:1\npassword = ${LH_PW}\n",
    );
    chmodSync(path, 0o644);
    const res = await runCli(["-c", path, "current", "r"], { env: { LH_PW: SECRET } });
    expect(res.stderr).not.toMatch(/warning/);
  });
});
