// Preloaded with `node --import` to give a process a wrong wall clock: Date (and Date.now) run
// LEASEHOLD_TEST_CLOCK_OFFSET_MS ahead (negative: behind). Timers and performance.now are
// untouched, like a machine whose clock is simply set wrong.
const offset = Number(process.env.LEASEHOLD_TEST_CLOCK_OFFSET_MS ?? 0);
const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = ShiftedDate;
