import { InvalidDurationError } from "../lease/errors.js";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  msec: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** Longest duration accepted anywhere: ten years keeps every backend's arithmetic exact. */
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;

export const DURATION_FORMS = "90, 90s, 500ms, 30 minutes, 1 day, 2 days, 1h30m, PT1H30M";

const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*(?:,|and\b)?\s*/giy;

/**
 * Parses a human or ISO-8601 duration into milliseconds. A bare number means seconds.
 * @throws InvalidDurationError for zero, negatives, garbage or more than ten years.
 * @example parseDuration("1h30m") // 5_400_000
 */
export function parseDuration(text: string, what = "duration"): number {
  const input = String(text).trim();
  const ms = parseIso(input) ?? parseHuman(input);
  if (ms === undefined) {
    throw new InvalidDurationError(`invalid ${what} ${JSON.stringify(text)}`, {
      hint: `use a positive duration such as ${DURATION_FORMS}`,
    });
  }
  if (!(ms >= 1)) {
    throw new InvalidDurationError(`invalid ${what} ${JSON.stringify(text)}: must be positive`, {
      hint: `use a positive duration such as ${DURATION_FORMS}`,
    });
  }
  if (ms > MAX_DURATION_MS) {
    throw new InvalidDurationError(
      `invalid ${what} ${JSON.stringify(text)}: longer than ten years`,
    );
  }
  return Math.round(ms);
}

function parseIso(input: string): number | undefined {
  const m = ISO.exec(input);
  if (!m || input.length < 3 || /T$/i.test(input)) return undefined;
  const [, w, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  return (
    (w ?? 0) * 604_800_000 +
    (d ?? 0) * 86_400_000 +
    (h ?? 0) * 3_600_000 +
    (min ?? 0) * 60_000 +
    (s ?? 0) * 1000
  );
}

function parseHuman(input: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(input)) return Number(input) * 1000;
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(input); m !== null; m = PART.exec(input)) {
    const unit = UNIT_MS[m[2]!.toLowerCase()];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    pos = PART.lastIndex;
  }
  return pos === input.length && pos > 0 ? total : undefined;
}

/** Short human form of a duration: `45s`, `18m`, `2h5m`, `3d4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 && m < 10 ? `${s % 60}s` : ""}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ""}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 ? `${h % 24}h` : ""}`;
}
