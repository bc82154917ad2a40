import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, writeConfig } from "../support/cli.js";
import { cliAcquire, type EtcdCluster, startEtcd } from "../support/etcd.js";
import { uniqueName } from "../support/names.js";

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, via openssl. */
function makeCertificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=leasehold-test-ca",
  );
  for (const [name, ext] of [
    ["server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"],
    ["client", "extendedKeyUsage=clientAuth\n"],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  }
  const at = (f: string) => join(dir, f);
  return {
    ca: at("ca.pem"),
    serverCert: at("server.pem"),
    serverKey: at("server.key"),
    clientCert: at("client.pem"),
    clientKey: at("client.key"),
  };
}

describe("etcd over mutual TLS", () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let cluster: EtcdCluster;
  const config = (extra: string) =>
    writeConfig(
      `etcd-tls-${uniqueName("c")}.ini`,
      `[default]\nbackend = etcd\nttl = 60s\n\n[backend.etcd]\nendpoints = ${cluster.endpoints}\ntimeout = 30s\n${extra}`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leasehold-etcd-tls-"));
    certs = makeCertificates(dir);
    cluster = await startEtcd(1, { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca });
  });

  afterAll(async () => {
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("acquires and releases with ca, cert and key configured", async () => {
    const cfg = config(`ca = ${certs.ca}\ncert = ${certs.clientCert}\nkey = ${certs.clientKey}\n`);
    const { resource: r, id } = await cliAcquire(cfg, "tls");
    const released = await runCli(["-c", cfg, "release", r, id]);
    expect(released.code, released.stderr).toBe(0);
  }, 60_000);

  it("exits 3 without a client certificate, and 2 with half of one", async () => {
    const noCert = await runCli([
      "-c",
      config(`ca = ${certs.ca}\n`),
      "acquire",
      uniqueName("no-cert"),
    ]);
    expect(noCert.code, noCert.stderr).toBe(3);
    expect(noCert.stdout).toBe("");
    const half = await runCli([
      "-c",
      config(`ca = ${certs.ca}\ncert = ${certs.clientCert}\n`),
      "acquire",
      uniqueName("half"),
    ]);
    expect(half.code, half.stderr).toBe(2);
    expect(half.stderr).toMatch(/cert and key/);
  }, 60_000);

  it("exits 2 naming the option when a PEM file cannot be read", async () => {
    const res = await runCli([
      "-c",
      config(`ca = ${join(dir, "missing.pem")}\n`),
      "acquire",
      uniqueName("missing"),
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/ca: cannot read/);
  }, 60_000);
});
