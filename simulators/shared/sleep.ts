/** Resolves after `ms` milliseconds; resolves immediately for 0 so zero-latency paths stay fast. */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
