// Every HTTP route of the product, in one table: the Functions registrations (src/functions) and any local server
// (the demo) serve exactly these handlers on exactly these routes (under the `/api` prefix).
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { handleGetCluster } from './clusters';
import type { HttpDeps } from './common';
import { handleExemptionHistory, handleExemptions } from './exemptions';
import { handleNotify } from './notify';
import { handleGetReport, handleGetReportSummary } from './reports';
import { handleStartScan } from './scans';

export interface Route {
  /** The function name. */
  name: string;
  methods: HttpMethod[];
  /** The route template without the `api/` prefix, `{name}` for parameters. */
  route: string;
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
}

export const ROUTES: Route[] = [
  { name: 'scans', methods: ['POST'], route: 'scans', handler: (r, c) => handleStartScan(r, c) },
  { name: 'reports', methods: ['GET'], route: 'reports/{runId}', handler: (r, c) => handleGetReport(r, c) },
  {
    name: 'reportSummary',
    methods: ['GET'],
    route: 'reports/{runId}/summary',
    handler: (r, c) => handleGetReportSummary(r, c),
  },
  {
    name: 'clusters',
    methods: ['GET'],
    route: 'clusters/{subscriptionId}/{resourceGroup}/{name}',
    handler: (r, c) => handleGetCluster(r, c),
  },
  {
    name: 'exemptions',
    methods: ['GET', 'POST', 'DELETE'],
    route: 'exemptions',
    handler: (r, c) => handleExemptions(r, c),
  },
  {
    name: 'exemptionHistory',
    methods: ['GET'],
    route: 'exemptions/{id}/history',
    handler: (r, c) => handleExemptionHistory(r, c),
  },
  { name: 'notify', methods: ['POST'], route: 'notify', handler: (r, c) => handleNotify(r, c) },
];

/**
 * The same routes bound to given dependencies (a local server that already holds its store and clients). The
 * notifier keeps its own dependencies.
 */
export function routesWith(deps: HttpDeps): Route[] {
  return ROUTES.map((route) => {
    switch (route.name) {
      case 'scans':
        return { ...route, handler: (r, c) => handleStartScan(r, c, deps) };
      case 'reports':
        return { ...route, handler: (r, c) => handleGetReport(r, c, deps) };
      case 'reportSummary':
        return { ...route, handler: (r, c) => handleGetReportSummary(r, c, deps) };
      case 'clusters':
        return { ...route, handler: (r, c) => handleGetCluster(r, c, deps) };
      case 'exemptions':
        return { ...route, handler: (r, c) => handleExemptions(r, c, deps) };
      case 'exemptionHistory':
        return { ...route, handler: (r, c) => handleExemptionHistory(r, c, deps) };
      default:
        return route;
    }
  });
}

/** Matches a path below `/api/` against the table: the route and its parameters, or undefined. */
export function matchRoute(
  routes: Route[],
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const parts = path.replace(/^\/+|\/+$/g, '').split('/');
  for (const route of routes) {
    const template = route.route.split('/');
    if (template.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const m = /^\{(\w+)\}$/.exec(template[i]);
      if (m) {
        try {
          params[m[1]] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      } else ok = template[i].toLowerCase() === parts[i].toLowerCase();
    }
    if (ok) return { route, params };
  }
  return undefined;
}
