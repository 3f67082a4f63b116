import type { Reply } from "./envelope";
import type { RequestContext } from "./context";

export type Method = "GET" | "POST" | "PUT" | "DELETE";
export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface Route {
  /** "/api/configuration/passwords/:key" — also the route's name in counters and fault matching. */
  pattern: string;
  /** false for the few nodes that answer without a session (/api/authentication, /api/info). */
  auth: boolean;
  methods: Partial<Record<Method, Handler>>;
}

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern.replace(/:([a-z_]+)/g, (_m, name: string) => {
        names.push(name);
        return "([^/]+)";
      });
      return { route, regex: new RegExp(`^${source}/?$`), names };
    });
  }

  match(path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      return { route: c.route, params };
    }
    return undefined;
  }
}

export function allowOf(route: Route): Method[] {
  return Object.keys(route.methods) as Method[];
}
