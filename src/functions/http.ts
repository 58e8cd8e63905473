// The HTTP functions (every route of src/http/routes.ts except the notifier, which registers itself). authLevel is
// "anonymous" for the Functions host: every handler checks the caller's Entra ID bearer token and app role itself
// (src/http/auth.ts), so a function or host key alone grants nothing and is not needed.
import { app, type HttpFunctionOptions } from '@azure/functions';
import { ROUTES } from '../http/routes';

export const httpFunctionOptions: Record<string, HttpFunctionOptions> = Object.fromEntries(
  ROUTES.filter((r) => r.name !== 'notify').map((r) => [
    r.name,
    { methods: r.methods, authLevel: 'anonymous', route: r.route, handler: r.handler } satisfies HttpFunctionOptions,
  ]),
);

for (const [name, options] of Object.entries(httpFunctionOptions)) app.http(name, options);
