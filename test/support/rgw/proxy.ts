import { createServer, request } from "node:http";

/** How the fault-injecting proxy treats S3 traffic. */
export type ProxyMode =
  /** Forward everything unchanged. */
  | "pass"
  /** Answer 412 with 200, like a server that ignores If-None-Match/If-Match. */
  | "ignore-conditions"
  /** Perform conditional PUTs but answer 500, like a reply lost after the write landed. */
  | "lose-conditional-replies"
  /** Answer 412 with 409 ConditionalRequestConflict, as AWS S3 does for some racing writes. */
  | "conflict-as-409";

/** An HTTP proxy in front of an S3 server, for failures RGW will not produce on demand. */
export interface S3Proxy {
  readonly endpoint: string;
  mode: ProxyMode;
  close(): Promise<void>;
}

/**
 * Starts a loopback proxy to `target`. It forwards requests byte for byte (Host included, so
 * SigV4 signatures still verify) and rewrites answers according to `mode`.
 */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  const proxy: S3Proxy = { endpoint: "", mode: "pass", close: async () => undefined };
  const server = createServer((req, res) => {
    const conditional =
      req.method === "PUT" &&
      (req.headers["if-match"] !== undefined || req.headers["if-none-match"] !== undefined);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        const status = up.statusCode ?? 502;
        if (proxy.mode === "ignore-conditions" && status === 412) {
          up.resume();
          res.writeHead(200, {
            etag: `"${Math.random().toString(16).slice(2).padEnd(32, "0")}"`,
            date: up.headers.date ?? new Date().toUTCString(),
            "content-length": "0",
          });
          return res.end();
        }
        if (proxy.mode === "conflict-as-409" && status === 412) {
          up.resume();
          const body =
            '<?xml version="1.0"?><Error><Code>ConditionalRequestConflict</Code><Message>injected</Message></Error>';
          res.writeHead(409, {
            "content-type": "application/xml",
            date: up.headers.date ?? new Date().toUTCString(),
            "content-length": String(body.length),
          });
          return res.end(body);
        }
        if (proxy.mode === "lose-conditional-replies" && conditional && status === 200) {
          up.resume();
          const body =
            '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>injected</Message></Error>';
          res.writeHead(500, {
            "content-type": "application/xml",
            date: up.headers.date ?? new Date().toUTCString(),
            "content-length": String(body.length),
          });
          return res.end(body);
        }
        res.writeHead(status, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  });
  return proxy;
}
