/** Counts what a property tried, for the figures printed in CI logs and RELIABILITY.md. */
export interface Tally {
  accepted: number;
  refused: number;
  /** Extra counters by name (exit codes, kinds of input). */
  readonly other: Record<string, number>;
  bump(name: string): void;
  print(): void;
}

/** A tally for one property; `print` writes one `FUZZ label: …` line once the property held. */
export function tally(label: string): Tally {
  const t: Tally = {
    accepted: 0,
    refused: 0,
    other: {},
    bump(name) {
      t.other[name] = (t.other[name] ?? 0) + 1;
    },
    print() {
      const extra = Object.entries(t.other)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const tried = t.accepted + t.refused + Object.values(t.other).reduce((a, b) => a + b, 0);
      console.log(
        `FUZZ ${label}: ${tried} inputs tried, ${t.accepted} accepted, ${t.refused} refused${extra ? `; ${extra}` : ""}; invariant held for all`,
      );
    },
  };
  return t;
}
