/**
 * The current time. PULUMI_AXIS_SPS_NOW (an ISO date) moves it, so renewal windows and expiry can be tested
 * through the real plugin process, which nothing else can reach into.
 */
export function now(): Date {
  const forced = process.env.PULUMI_AXIS_SPS_NOW;
  if (forced) {
    const t = Date.parse(forced);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return new Date();
}
