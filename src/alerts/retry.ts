// POSTs with retries: backoff on 408, 429, 5xx and connection errors, honouring Retry-After (seconds or a date).

export interface RetryOptions {
  /** Attempts in all (first try included). */
  attempts?: number;
  baseDelayMs?: number;
  /** Longest wait we accept between attempts; a longer Retry-After ends the retries (the caller queues). */
  maxDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type PostResult =
  { ok: true; status: number; attempts: number } | { ok: false; status?: number; error: string; attempts: number };

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as milliseconds: `2`, `2.128` (Graph sends fractions) or an HTTP date; undefined when absent/bad. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export async function postJsonWithRetry(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  options: RetryOptions = {},
): Promise<PostResult> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const payload = JSON.stringify(body);
  let last: PostResult = { ok: false, error: 'not attempted', attempts: 0 };
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let wait: number | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      // Drain the body so the connection is released; its content is only used for the error line.
      const text = await response.text().catch(() => '');
      if (response.ok) return { ok: true, status: response.status, attempts: attempt };
      last = {
        ok: false,
        status: response.status,
        error: `HTTP ${response.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`,
        attempts: attempt,
      };
      if (!retryable(response.status)) return last;
      wait = parseRetryAfter(response.headers.get('retry-after'), now());
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      last = {
        ok: false,
        error: `request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        attempts: attempt,
      };
    }
    if (attempt === attempts) break;
    const backoff = Math.min(maxDelay, base * 2 ** (attempt - 1) + Math.floor(Math.random() * base));
    const delay = wait ?? backoff;
    if (delay > maxDelay) {
      last = { ...last, error: `${last.error} (Retry-After ${Math.round(delay / 1000)} s exceeds the wait limit)` };
      break;
    }
    await sleep(delay);
  }
  return last;
}
