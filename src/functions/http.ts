// The HTTP functions (every route of src/http/routes.ts except the notifier, which registers itself), each with
// authLevel "function": callers need a function or host key.
import { app, type HttpFunctionOptions } from '@azure/functions';
import { ROUTES } from '../http/routes';

export const httpFunctionOptions: Record<string, HttpFunctionOptions> = Object.fromEntries(
  ROUTES.filter((r) => r.name !== 'notify').map((r) => [
    r.name,
    { methods: r.methods, authLevel: 'function', route: r.route, handler: r.handler } satisfies HttpFunctionOptions,
  ]),
);

for (const [name, options] of Object.entries(httpFunctionOptions)) app.http(name, options);
