/** How long `work` took, with its value: fault tests bound how long a failure may take. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

/** How long `work` took to fail, with the error; a `work` that succeeds fails the test. */
export async function failure(
  work: () => Promise<unknown>,
): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error("expected the operation to fail");
}
