// GET|POST|DELETE /api/exemptions: list, create or replace (by id), and delete (`?id=`) exemptions.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import {
  EXEMPTION_ID,
  EXEMPTION_ID_RULE,
  ExemptionError,
  isExemptionActive,
  validateExemption,
} from '../exemptions/exemptions';
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
import { authenticate, checkRole } from './auth';

export async function handleExemptions(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'exemptions', async () => {
    const { settings } = resolveDeps(deps);
    const caller = await authenticate(request, settings);
    requireMethod(request, ['GET', 'POST', 'DELETE']);
    const method = request.method.toUpperCase();
    checkRole(caller, method === 'GET' ? 'Reports.Read' : 'Exemptions.Write');

    if (method === 'GET') {
      readQuery(request, []);
      const { store, now } = resolveDeps(deps);
      const at = now?.() ?? new Date();
      const exemptions = await store.listExemptions();
      exemptions.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.id.localeCompare(b.id));
      return jsonResponse(200, {
        exemptions: exemptions.map((e) => ({ ...e, active: isExemptionActive(e, at) })),
      });
    }

    if (method === 'POST') {
      readQuery(request, []);
      const body = await readJsonBody(request);
      if (body === undefined) throw new HttpError(400, 'InvalidBody', 'body: an exemption object is required');
      const { store, now } = resolveDeps(deps);
      let exemption;
      try {
        exemption = validateExemption(body, now?.() ?? new Date());
      } catch (error) {
        if (error instanceof ExemptionError) throw new HttpError(400, 'InvalidExemption', error.message);
        throw error;
      }
      const existed = (await store.getExemption(exemption.id)) !== undefined;
      await store.putExemption(exemption);
      return jsonResponse(existed ? 200 : 201, exemption, {
        Location: `/api/exemptions?id=${encodeURIComponent(exemption.id)}`,
      });
    }

    // DELETE
    const query = readQuery(request, ['id']);
    const id = query.get('id')?.[0];
    if (id === undefined || id.length === 0) throw new HttpError(400, 'InvalidQueryParameter', 'id: required');
    if (!EXEMPTION_ID.test(id)) {
      throw new HttpError(400, 'InvalidQueryParameter', `id: ${EXEMPTION_ID_RULE}`);
    }
    const { store } = resolveDeps(deps);
    if (!(await store.deleteExemption(id)))
      return errorResponse(404, 'ExemptionNotFound', `exemption ${id} does not exist`);
    return emptyResponse(204);
  });
}
