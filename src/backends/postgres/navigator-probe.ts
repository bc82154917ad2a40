// When it loads, pg asks whether it runs in a Cloudflare Worker. Where there is no `navigator`
// (Node 20) it finds out by constructing a `Response`, which makes Node load its whole fetch
// implementation (undici): 10-15 ms of a ~120 ms `is-held`. A `navigator` that exists only while
// pg loads answers the question for free. Imported for effect by pg-module.ts, before pg.

const g = globalThis as { navigator?: unknown };
const answer = { userAgent: "Node.js" };
if (g.navigator === undefined) g.navigator = answer;

/** Takes the stand-in away again once pg has loaded. */
export function removeNavigatorProbeAnswer(): void {
  if (g.navigator === answer) delete g.navigator;
}
