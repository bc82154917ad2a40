import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/backends/s3/client.js";
import { create, options } from "../../src/backends/s3/index.js";
import { ConfigError } from "../../src/lease/errors.js";

const ctx = (opts: Record<string, string | number | boolean>) => ({
  name: "s3",
  timeoutMs: 10_000,
  options: opts,
});

describe("s3 configuration", () => {
  it("refuses a section without a bucket, naming the section", async () => {
    await expect(create(ctx({}))).rejects.toThrow(ConfigError);
    await expect(create(ctx({}))).rejects.toThrow(/\[backend\.s3\] bucket is required/);
  });

  it("refuses half a key pair, a key pair with a profile, an unknown sse and an over-long prefix", () => {
    const bad = [
      { bucket: "b", access_key_id: "AKIA" },
      { bucket: "b", secret_access_key: "s" },
      { bucket: "b", access_key_id: "AKIA", secret_access_key: "s", profile: "ops" },
      { bucket: "b", sse: "rot13" },
      { bucket: "b", prefix: "p".repeat(342) },
    ];
    for (const opts of bad)
      expect(() => readSettings(ctx(opts)), JSON.stringify(opts)).toThrow(ConfigError);
  });

  it("bounds every request by the backend timeout and keeps credentials out of messages", () => {
    const s = readSettings(
      ctx({
        bucket: "b",
        endpoint: "http://127.0.0.1:9",
        request_timeout: 60_000,
        max_attempts: 0,
        access_key_id: "AKIA",
        secret_access_key: "hunter2",
      }),
    );
    expect(s.client.requestHandler).toEqual({
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      throwOnRequestTimeout: true,
    });
    expect(s.client.maxAttempts).toBe(1);
    expect(s.client.region).toBe("us-east-1");
    expect(s.prefix).toBe("leasehold/");
    try {
      readSettings(
        ctx({ bucket: "b", access_key_id: "AKIA", secret_access_key: "hunter2", sse: "bad" }),
      );
    } catch (e) {
      expect(String((e as Error).message)).not.toContain("hunter2");
    }
  });

  it("declares each option once, marking the secrets", () => {
    const names = options.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain("timeout");
    expect(
      options
        .filter((o) => o.secret)
        .map((o) => o.name)
        .sort(),
    ).toEqual(["secret_access_key", "session_token"]);
    for (const n of [
      "bucket",
      "prefix",
      "region",
      "endpoint",
      "force_path_style",
      "profile",
      "access_key_id",
      "sse",
      "kms_key_id",
      "request_timeout",
      "max_attempts",
    ]) {
      expect(names).toContain(n);
    }
  });
});
