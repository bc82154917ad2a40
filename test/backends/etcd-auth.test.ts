import { Etcd3, Range } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeConfig } from "../support/cli.js";
import { cliAcquire, type EtcdCluster, startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";

const SECRET = "s3cret-Pa55word";

// A member with authentication on: a `leasehold` user may read and write /leasehold-auth/ only.
describe("etcd with authentication", () => {
  let cluster: EtcdCluster;
  const ini = (extra: string) =>
    writeConfig(
      `etcd-auth-${uniqueName("c")}.ini`,
      `[default]\nbackend = etcd\nttl = 60s\n\n[backend.etcd]\nendpoints = ${cluster.endpoints}\nusername = leasehold\ntimeout = 30s\n${extra}`,
    );

  beforeAll(async () => {
    cluster = await startEtcd(1);
    const admin = new Etcd3({ hosts: cluster.endpoints });
    // etcd3's default policy retries a timed-out call; on a loaded machine the first attempt may
    // have been applied, so "already exists" means done.
    const once = (step: Promise<unknown>) =>
      step.catch((e: Error) => {
        if (!/already exists|already granted/.test(e.message)) throw e;
      });
    try {
      await once(admin.role("root").create());
      await once(admin.user("root").create("root-pw"));
      await once(admin.user("root").addRole("root"));
      await once(admin.role("lh").create());
      await once(
        admin
          .role("lh")
          .grant({ permission: "Readwrite", range: Range.prefix("/leasehold-auth/") }),
      );
      await once(admin.user("leasehold").create(SECRET));
      await once(admin.user("leasehold").addRole("lh"));
      await admin.auth.authEnable();
    } finally {
      admin.close();
    }
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it("acquires, checks and releases with the right password", async () => {
    const config = ini(`password = ${SECRET}\nprefix = /leasehold-auth/\n`);
    const { resource: r, id } = await cliAcquire(config, "auth-ok");
    expect((await runCli(["-c", config, "is-held", r, id])).code).toBe(0);
    const released = await runCli(["-c", config, "release", r, id]);
    expect(released.code, released.stderr).toBe(0);
  }, 60_000);

  it("reads the password from LEASEHOLD_ETCD_PASSWORD", async () => {
    const config = ini("prefix = /leasehold-auth/\n");
    const res = await runCli(["-c", config, "current", uniqueName("env")], {
      env: { LEASEHOLD_ETCD_PASSWORD: SECRET },
    });
    expect(res.code, res.stderr).toBe(1);
  }, 60_000);

  it("exits 3 on a wrong password, names what to check and never prints the password", async () => {
    const config = ini("password = not-the-password\nprefix = /leasehold-auth/\n");
    const res = await runCli(["-c", config, "acquire", uniqueName("auth-bad")]);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(/authentication/);
    expect(res.stderr).toMatch(/username and password/);
    expect(res.stderr).not.toMatch(/not-the-password/);
  }, 60_000);

  it("exits 3 with a permission hint for a prefix the user may not write", async () => {
    const config = ini(`password = ${SECRET}\nprefix = /elsewhere/\n`);
    const res = await runCli(["-c", config, "acquire", uniqueName("auth-perm")]);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/permission denied/);
    expect(res.stderr).not.toContain(SECRET);
  }, 60_000);
});
