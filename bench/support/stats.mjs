// Summaries of timed samples, rounded the way bench/results/*.json records them.
const sorted = (xs) => [...xs].sort((a, b) => a - b);
export const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
export const pct = (xs, p) =>
  sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** `percentiles(xs, 50, 99)` is `{ n, p50, p99 }`, to two decimals. */
export const percentiles = (xs, ...ps) => ({
  n: xs.length,
  ...Object.fromEntries(ps.map((p) => [`p${p}`, round(pct(xs, p))])),
});

/** The library's median and the raw client's (named `rawKey`), and library ÷ raw. */
export const sideBySide = (lib, raw, rawKey, digits = 1) => ({
  library: round(median(lib), digits),
  [rawKey]: round(median(raw), digits),
  ratio: round(median(lib) / median(raw), 3),
});
