/** Traffic counters a test reads to check what the client did (retries, re-authentication, connection reuse). */
export interface AxisCounters {
  /** Every HTTP request received on either listener, whatever its outcome. */
  requests: number;
  /** Authenticated SOAP requests by operation local name (unknown operations included). */
  requestsByOperation: Record<string, number>;
  /** Every 401 sent. */
  unauthorized: number;
  /** TCP connections accepted on either listener. */
  connections: number;
  /** Completed TLS handshakes on the HTTPS listener. */
  tlsHandshakes: number;
  /** Of them, the ones that resumed an earlier session (abbreviated: no certificate sent or verified). */
  tlsResumed: number;
}

export function emptyCounters(): AxisCounters {
  return {
    requests: 0,
    requestsByOperation: {},
    unauthorized: 0,
    connections: 0,
    tlsHandshakes: 0,
    tlsResumed: 0,
  };
}

export function copyCounters(c: AxisCounters): AxisCounters {
  return { ...c, requestsByOperation: { ...c.requestsByOperation } };
}
