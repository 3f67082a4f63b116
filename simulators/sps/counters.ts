export interface SpsCounters {
  requests: number;
  /** Keyed "METHOD /route/pattern", e.g. "GET /api/configuration/x509/:key". */
  requestsByRoute: Record<string, number>;
  logins: number;
  transactionsOpened: number;
  commits: number;
  rollbacks: number;
  connections: number;
  tlsHandshakes: number;
}

export function emptyCounters(): SpsCounters {
  return {
    requests: 0,
    requestsByRoute: {},
    logins: 0,
    transactionsOpened: 0,
    commits: 0,
    rollbacks: 0,
    connections: 0,
    tlsHandshakes: 0,
  };
}
