// Reading the handlers' answers in tests: the JSON body and a header by name (any case).
import type { HttpResponseInit } from '@azure/functions';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
export function json(response: HttpResponseInit): any {
  return JSON.parse(String(response.body));
}

export function header(response: HttpResponseInit, name: string): string | undefined {
  const headers = response.headers as Record<string, string>;
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? headers[key] : undefined;
}
