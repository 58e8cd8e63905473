// GET /api/clusters/{subscriptionId}/{resourceGroup}/{name}: the cluster's latest findings and its status history
// (?format=json, the default, or html: the cluster's own page, which the HTML report links to).
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { CLUSTER_PAGE_CSP, renderClusterHtml } from '../report/clusterHtml';
import {
  HttpError,
  SUBSCRIPTION_ID,
  errorResponse,
  jsonResponse,
  textResponse,
  readQuery,
  requireMethod,
  resolveDeps,
  respond,
  type HttpDeps,
} from './common';
import { requireRole } from './auth';

// Azure naming rules: resource groups take letters, digits, _ - . ( ) (not ending with a period), up to 90;
// managed clusters letters, digits, _ and -, up to 63, starting with a letter or digit.
const RESOURCE_GROUP = /^[\p{L}\p{N}_\-.()]{1,90}$/u;
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export async function handleGetCluster(
  request: HttpRequest,
  context: InvocationContext,
  deps?: HttpDeps,
): Promise<HttpResponseInit> {
  return respond(context, 'clusters', async () => {
    const resolved = resolveDeps(deps);
    await requireRole(request, 'Reports.Read', resolved.settings);
    requireMethod(request, ['GET']);
    const format = readQuery(request, ['format']).get('format')?.[0] ?? 'json';
    if (format !== 'json' && format !== 'html') {
      throw new HttpError(
        400,
        'InvalidQueryParameter',
        `format: "${format.slice(0, 50)}" is not supported (supported: json, html)`,
      );
    }
    const { subscriptionId = '', resourceGroup = '', name = '' } = request.params;
    if (!SUBSCRIPTION_ID.test(subscriptionId)) {
      throw new HttpError(400, 'InvalidSubscriptionId', 'subscriptionId: must be a subscription ID (a GUID)');
    }
    if (!RESOURCE_GROUP.test(resourceGroup) || resourceGroup.endsWith('.')) {
      throw new HttpError(400, 'InvalidResourceGroup', 'resourceGroup: not a valid resource group name');
    }
    if (!CLUSTER_NAME.test(name)) {
      throw new HttpError(400, 'InvalidClusterName', 'name: not a valid managed cluster name');
    }
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    const found = await resolved.store.getClusterHistory(id);
    if (!found)
      return errorResponse(
        404,
        'ClusterNotFound',
        `cluster ${subscriptionId}/${resourceGroup}/${name} is not in the store`,
      );
    if (format === 'html') {
      // From /api/clusters/SUB/RG/NAME, the fleet report is ../../../reports/latest.
      return textResponse(
        200,
        renderClusterHtml(found, '../../../reports/latest?format=html'),
        'text/html; charset=utf-8',
        {
          'Content-Security-Policy': `${CLUSTER_PAGE_CSP}; frame-ancestors 'none'`,
        },
      );
    }
    return jsonResponse(200, found);
  });
}
