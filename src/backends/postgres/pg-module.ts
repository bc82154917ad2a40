// pg, loaded without pulling in Node's fetch implementation: see navigator-probe.ts.
import "./navigator-probe.js";
import pg from "pg";
import { removeNavigatorProbeAnswer } from "./navigator-probe.js";

removeNavigatorProbeAnswer();

export default pg;
