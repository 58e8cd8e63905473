// GET|POST|DELETE /api/exemptions and GET /api/exemptions/{id}/history: exemptions with an audit trail. The author is
// the caller's token (`oid` and UPN or name) and times are the server's; a body that sets either is a 400. Changing
// or deleting an exemption needs its ETag in If-Match (428 without, 412 when stale); every change is a new version,
// a delete leaves a tombstone, and the history lists who changed what and when.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  EXEMPTION_ID,
  EXEMPTION_ID_RULE,
  ExemptionError,
  isExemptionActive,
  validateExemption,
} from '../exemptions/exemptions';
import type { Exemption } from '../model';
import { StaleExemptionError, type Actor, type ExemptionRecord } from '../store/findingStore';
import { authenticate, checkRole, requireRole, type Caller } from './auth';
import {
  HttpError,
  emptyResponse,
  errorResponse,
  jsonResponse,
  readJsonBody,
  readQuery,
  requireMethod,
  resolveDeps,
  respond,
  type HttpDeps,
} from './common';

/** Active (unexpired, not removed) exemptions at most; a creation beyond it is a 400. */
export const MAX_ACTIVE_EXEMPTIONS = 10_000;

/** Fields the server sets: a body that carries one is refused. */
const SERVER_FIELDS = ['author', 'createdAt', 'authorOid', 'version', 'updatedAt', 'updatedBy', 'updatedByOid'];

/** Who acts, as recorded: the token's object ID and its UPN, else its name, else the calling application. */
export function actorOf(caller: Caller): Actor {
  const name = caller.upn ?? caller.name ?? (caller.appId ? `application ${caller.appId}` : caller.oid);
  return { oid: caller.oid, name: name.slice(0, 256) };
}

function checkId(id: string | undefined): string {
  if (id === undefined || id.length === 0) throw new HttpError(400, 'InvalidQueryParameter', 'id: required');
  if (!EXEMPTION_ID.test(id)) throw new HttpError(400, 'InvalidQueryParameter', `id: ${EXEMPTION_ID_RULE}`);
  return id;
}

/** 428 without If-Match, 412 when it is not the stored ETag (`*` matches any existing exemption). */
function checkIfMatch(request: HttpRequest, record: ExemptionRecord, action: string): string {
  const ifMatch = request.headers.get('if-match')?.trim();
  if (!ifMatch) {
    throw new HttpError(
      428,
      'PreconditionRequired',
      `If-Match: required to ${action} exemption ${record.exemption.id} (its ETag is in GET /api/exemptions?id=${record.exemption.id})`,
    );
  }
  if (ifMatch !== '*' && ifMatch !== record.etag) {
    throw new HttpError(
      412,
      'PreconditionFailed',
      `If-Match: exemption ${record.exemption.id} has changed since (its ETag is now ${record.etag}); read it again`,
      { ETag: record.etag },
    );
  }
  return ifMatch === '*' ? record.etag : ifMatch;
}

function shown(exemption: Exemption, at: Date): Record<string, unknown> {
  return { ...exemption, active: isExemptionActive(exemption, at) };
}

export async function handleExemptions(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'exemptions', async () => {
    const resolved = resolveDeps(deps);
    const caller = await authenticate(request, resolved.settings);
    requireMethod(request, ['GET', 'POST', 'DELETE']);
    const method = request.method.toUpperCase();
    checkRole(caller, method === 'GET' ? 'Reports.Read' : 'Exemptions.Write');
    const { store } = resolved;
    const now = resolved.now?.() ?? new Date();

    if (method === 'GET') {
      const query = readQuery(request, ['id']);
      if (query.has('id')) {
        const id = checkId(query.get('id')?.[0]);
        const record = await store.getExemptionRecord(id);
        if (!record || record.removed) return errorResponse(404, 'ExemptionNotFound', `exemption ${id} does not exist`);
        return jsonResponse(200, { ...shown(record.exemption, now), etag: record.etag }, { ETag: record.etag });
      }
      const exemptions = await store.listExemptions();
      exemptions.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.id.localeCompare(b.id));
      return jsonResponse(200, { exemptions: exemptions.map((e) => shown(e, now)) });
    }

    if (method === 'POST') {
      readQuery(request, []);
      const body = await readJsonBody(request);
      if (body === undefined) throw new HttpError(400, 'InvalidBody', 'body: an exemption object is required');
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        const set = SERVER_FIELDS.find((f) => f in body);
        if (set) {
          throw new HttpError(
            400,
            'InvalidExemption',
            `${set}: set by the server (the author is the caller's token, times are the server's); leave it out`,
          );
        }
      }
      const actor = actorOf(caller);
      let exemption: Exemption;
      try {
        const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
        exemption = validateExemption(isObject ? { ...body, author: actor.name } : body, now);
      } catch (error) {
        if (error instanceof ExemptionError) throw new HttpError(400, 'InvalidExemption', error.message);
        throw error;
      }
      const current = await store.getExemptionRecord(exemption.id);
      let etag: string | undefined;
      if (current && !current.removed) etag = checkIfMatch(request, current, 'change');
      else if (request.headers.get('if-match') && current) etag = checkIfMatch(request, current, 'recreate');
      else if (request.headers.get('if-match')) {
        throw new HttpError(412, 'PreconditionFailed', `If-Match: exemption ${exemption.id} does not exist`);
      }
      if (!current || current.removed) {
        const active = (await store.listExemptions()).filter((e) => isExemptionActive(e, now)).length;
        if (active >= MAX_ACTIVE_EXEMPTIONS) {
          throw new HttpError(
            400,
            'TooManyExemptions',
            `at most ${MAX_ACTIVE_EXEMPTIONS} active exemptions; remove or let some expire first`,
          );
        }
      }
      let saved;
      try {
        saved = await store.saveExemption(exemption, current, etag, actor, now);
      } catch (error) {
        if (error instanceof StaleExemptionError) throw new HttpError(412, 'PreconditionFailed', error.message);
        throw error;
      }
      return jsonResponse(
        current && !current.removed ? 200 : 201,
        { ...shown(saved.exemption, now), etag: saved.etag, change: saved.entry.action },
        { Location: `/api/exemptions?id=${encodeURIComponent(exemption.id)}`, ETag: saved.etag },
      );
    }

    // DELETE
    const id = checkId(readQuery(request, ['id']).get('id')?.[0]);
    const current = await store.getExemptionRecord(id);
    if (!current || current.removed) return errorResponse(404, 'ExemptionNotFound', `exemption ${id} does not exist`);
    const etag = checkIfMatch(request, current, 'delete');
    try {
      await store.removeExemption(current, etag, actorOf(caller), now);
    } catch (error) {
      if (error instanceof StaleExemptionError) throw new HttpError(412, 'PreconditionFailed', error.message);
      throw error;
    }
    return emptyResponse(204);
  });
}

/** GET /api/exemptions/{id}/history: every version, oldest first (who, when, what changed), removed ones too. */
export async function handleExemptionHistory(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'exemptionHistory', async () => {
    const resolved = resolveDeps(deps);
    await requireRole(request, 'Reports.Read', resolved.settings);
    requireMethod(request, ['GET']);
    readQuery(request, []);
    const id = checkId(request.params.id);
    const record = await resolved.store.getExemptionRecord(id);
    if (!record) return errorResponse(404, 'ExemptionNotFound', `exemption ${id} has no history`);
    const versions = await resolved.store.exemptionHistory(id);
    return jsonResponse(200, {
      id,
      removed: record.removed ?? null,
      etag: record.removed ? null : record.etag,
      versions,
    });
  });
}
