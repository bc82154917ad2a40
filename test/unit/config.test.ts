import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findBackendSection, parseBackendOptions } from "../../src/config/backend-section.js";
import { loadConfigFile, parseConfigFile } from "../../src/config/ini.js";
import { resolveResource } from "../../src/config/resolve.js";
import { ConfigError } from "../../src/lease/errors.js";

const SAMPLE = `; comment
[default]
ttl = 1 hour
backend = sqlite

[prod-db]            ; a resource
ttl = 30 minutes
backend = redis-eu

[prod.web/1]
principal = deployer

[backend.redis-eu]
type = redis
url = redis://10.0.0.1:6379
password = \${REDIS_PASSWORD}    ; from the environment
`;

function tempTree(): string {
  return mkdtempSync(join(tmpdir(), "leasehold-cfg-"));
}

describe("config lookup", () => {
  it("prefers --config, then $LEASEHOLD_CONFIG, then ./.leasehold.ini, XDG, ~/.leasehold.ini", () => {
    const t = tempTree();
    const home = join(t, "home");
    const cwd = join(t, "cwd");
    mkdirSync(join(home, ".config", "leasehold"), { recursive: true });
    mkdirSync(cwd);
    const files = {
      explicit: join(t, "explicit.ini"),
      envvar: join(t, "env.ini"),
      cwd: join(cwd, ".leasehold.ini"),
      xdg: join(home, ".config", "leasehold", "config.ini"),
      home: join(home, ".leasehold.ini"),
    };
    for (const [k, p] of Object.entries(files)) writeFileSync(p, `[default]\nprincipal = ${k}\n`);
    const env = { HOME: home } as NodeJS.ProcessEnv;
    expect(
      loadConfigFile({
        explicitPath: files.explicit,
        env: { ...env, LEASEHOLD_CONFIG: files.envvar },
        cwd,
      }).path,
    ).toBe(files.explicit);
    expect(loadConfigFile({ env: { ...env, LEASEHOLD_CONFIG: files.envvar }, cwd }).path).toBe(
      files.envvar,
    );
    expect(loadConfigFile({ env, cwd }).path).toBe(files.cwd);
    expect(loadConfigFile({ env, cwd: t }).path).toBe(files.xdg);
    expect(
      loadConfigFile({ env: { ...env, XDG_CONFIG_HOME: join(t, "nowhere") }, cwd: t }).path,
    ).toBe(files.home);
  });

  it("is fine with no file at all and applies the built-in defaults", () => {
    const t = tempTree();
    const file = loadConfigFile({ env: { HOME: t }, cwd: t });
    expect(file.path).toBeUndefined();
    const r = resolveResource(file, "demo", {}, { USER: "alice" });
    expect(r).toMatchObject({ ttlMs: 3_600_000, backend: "sqlite" });
    expect(r.principal).toMatch(/^alice@.+/);
  });

  it("refuses an explicit file that cannot be read, naming it", () => {
    expect(() => loadConfigFile({ explicitPath: "/nonexistent/x.ini", env: {}, cwd: "/" })).toThrow(
      /cannot read config file \/nonexistent\/x.ini/,
    );
    expect(() =>
      loadConfigFile({ env: { LEASEHOLD_CONFIG: "/nonexistent/y.ini" }, cwd: "/" }),
    ).toThrow(ConfigError);
  });
});

describe("resolution", () => {
  const file = parseConfigFile("/etc/lh.ini", SAMPLE);

  it("takes the resource section, then [default], then built-ins; flags win", () => {
    const env = { USER: "bob" };
    expect(resolveResource(file, "prod-db", {}, env)).toMatchObject({
      ttlMs: 1_800_000,
      backend: "redis-eu",
    });
    expect(resolveResource(file, "other", {}, env)).toMatchObject({
      ttlMs: 3_600_000,
      backend: "sqlite",
    });
    expect(resolveResource(file, "prod.web/1", {}, env)).toMatchObject({
      principal: "deployer",
      backend: "sqlite",
    });
    expect(
      resolveResource(file, "prod-db", { ttl: "5m", backend: "x", principal: "me" }, env),
    ).toMatchObject({
      ttlMs: 300_000,
      backend: "x",
      principal: "me",
    });
    expect(resolveResource(file, "prod-db", {}, env).origins).toMatchObject({
      ttl: "/etc/lh.ini:7",
      backend: "/etc/lh.ini:8",
    });
  });

  it("names file, line and key for a bad value", () => {
    const bad = parseConfigFile("/etc/bad.ini", "[default]\nttl = forever\n");
    expect(() => resolveResource(bad, "x", {}, {})).toThrow(
      /\/etc\/bad.ini:2: ttl.*invalid ttl "forever"/,
    );
  });

  it("names file, line and key for an unknown key", () => {
    const bad = parseConfigFile("/etc/bad.ini", "[default]\nttl = 1h\n\n[db]\ntll = 5m\n");
    expect(() => resolveResource(bad, "db", {}, {})).toThrow(
      /\/etc\/bad.ini:5: unknown key "tll" in \[db\]/,
    );
  });

  it("reads ${VAR} from the environment and names an unset one", () => {
    const ref = findBackendSection(file, "redis-eu", "/", { REDIS_PASSWORD: "s3cret" });
    expect(ref.type).toBe("redis");
    const specs = [
      { name: "url", type: "string", description: "" },
      { name: "password", type: "string", description: "", secret: true },
    ] as const;
    expect(
      parseBackendOptions(ref, specs, file, { REDIS_PASSWORD: "s3cret" }).options.password,
    ).toBe("s3cret");
    expect(() => parseBackendOptions(ref, specs, file, {})).toThrow(
      /\/etc\/lh.ini:16: key "password" in \[backend.redis-eu\] uses \$\{REDIS_PASSWORD\}, which is not set/,
    );
  });

  it("validates backend options by their table and applies the timeout default", () => {
    const f = parseConfigFile(
      "/c.ini",
      "[backend.x]\ntimeout = 2s\nport = 12\nflag = yes\nhosts = a:1, b:2\n",
    );
    const ref = findBackendSection(f, "x", "/", {});
    const specs = [
      { name: "port", type: "integer", description: "" },
      { name: "flag", type: "boolean", description: "" },
      { name: "hosts", type: "list", description: "" },
      { name: "dflt", type: "string", description: "", default: "d" },
      { name: "fromenv", type: "string", description: "", env: "X_FROM_ENV" },
    ] as const;
    const { options, timeoutMs } = parseBackendOptions(ref, specs, f, { X_FROM_ENV: "e" });
    expect(timeoutMs).toBe(2000);
    expect(options).toMatchObject({
      port: 12,
      flag: true,
      hosts: ["a:1", "b:2"],
      dflt: "d",
      fromenv: "e",
    });
    const none = parseBackendOptions(findBackendSection(f, "y", "/", {}), [], f, {});
    expect(none.timeoutMs).toBe(10_000);
    const typo = parseConfigFile("/c.ini", "[backend.x]\nprot = 12\n");
    expect(() =>
      parseBackendOptions(findBackendSection(typo, "x", "/", {}), specs, typo, {}),
    ).toThrow(/\/c.ini:2: prot in \[backend.x\]: unknown key/);
    const badInt = parseConfigFile("/c.ini", "[backend.x]\nport = twelve\n");
    expect(() =>
      parseBackendOptions(findBackendSection(badInt, "x", "/", {}), specs, badInt, {}),
    ).toThrow(/\/c.ini:2: port.*whole number/);
  });

  it("keeps dotted section names whole and reports malformed lines", () => {
    expect([...parseConfigFile("/c.ini", SAMPLE).sections.keys()]).toEqual(
      expect.arrayContaining(["default", "prod-db", "prod.web/1", "backend.redis-eu"]),
    );
    expect(() => parseConfigFile("/c.ini", "[default]\nttl 5m\n")).toThrow(
      /\/c.ini:2: expected "key = value"/,
    );
    expect(() => parseConfigFile("/c.ini", "[default\nttl = 5m\n")).toThrow(
      /\/c.ini:1: malformed section header/,
    );
  });

  it("ignores __proto__ keys instead of polluting objects", () => {
    const f = parseConfigFile("/c.ini", "[__proto__]\npolluted = yes\n[default]\n__proto__ = x\n");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => resolveResource(f, "x", {}, {})).not.toThrow(/polluted/);
  });
});
