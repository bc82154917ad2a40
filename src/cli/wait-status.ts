import { formatDuration } from "../config/duration.js";
import type { Lease } from "../lease/lease.js";
import type { Output } from "./output.js";

/** The live "waiting for …" line on a terminal, redrawn each time the holder is seen. */
export class WaitStatus {
  #shown = false;
  constructor(
    private readonly out: Output,
    private readonly resource: string,
  ) {}

  update(holder: Lease): void {
    const reason = holder.reason ? ` (${JSON.stringify(holder.reason)})` : "";
    this.out.status(
      `waiting for ${this.resource}: held by ${holder.principal}${reason}, expires in ${formatDuration(holder.remainingMs)}`,
    );
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.out.status(undefined);
    this.#shown = false;
  }
}
