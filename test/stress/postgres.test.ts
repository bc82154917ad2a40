import { startPostgres } from "../support/postgres.js";
import { describeRace } from "./describe-race.js";

// Expiry is the database's now() + ttl inside one statement; now() is the statement's start, which can
// precede the grant by a row-lock wait, so the grant is bounded by the reply instead.
describeRace("stress: postgres", {
  start: () => startPostgres(),
  stop: (server) => server.destroy(),
  options: (server) => ({
    label: "postgres",
    backend: "postgres",
    ini: `[backend.postgres]\nurl = ${server.url}\n`,
    model: "statement-start",
    target: 500,
    seconds: 20,
    ttlMs: 800,
  }),
  minLeases: 100,
});
