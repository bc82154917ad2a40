import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on a free loopback port in front of a real server, for partitions that freezing
 * the server cannot model: this client is cut off while everyone else still reaches the server.
 * `stall` keeps connections open but forwards nothing (a black-holed route); `drop` resets every
 * connection and refuses new ones (a firewall sending RSTs); `heal` forwards again.
 */
export interface FaultProxy {
  readonly port: number;
  stall(): void;
  drop(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<FaultProxy> {
  let mode: "pass" | "stall" | "drop" = "pass";
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (mode === "drop") {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on("data", (chunk) => {
        // Stalled bytes are discarded, not queued: a black hole, not a slow link.
        if (mode === "pass") to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stall: () => {
      mode = "stall";
    },
    drop: () => {
      mode = "drop";
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
    },
    heal: () => {
      mode = "pass";
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => ok());
      }),
  };
}
