// The report as SARIF 2.1.0 (OASIS), for code-scanning tools and CI gates. One result per finding that needs
// attention: a fail (level from its severity), an unknown (note, with the reason: never passed off as a pass) and an
// exempt fail (its level, suppressed with the exemption as justification). Each result's logical location is the
// cluster's resource ID; the remediation command is in its message. The rules are described in tool.driver.rules,
// each with a helpUri to its section of docs/rules.md.
import { createHash } from 'node:crypto';
import type { ClusterReport, Finding, ScanReport, Severity } from '../model';
import { ALL_RULES, RULES_BY_ID } from '../rules/index';
import { packageVersion } from '../version';

/** The project's home, as in the report schema's `$id`. */
export const PROJECT_URL = 'https://github.com/aks-compliance/aks-compliance';
export const RULES_DOC_URL = `${PROJECT_URL}/blob/main/docs/rules.md`;
/** The OASIS schema this output follows (errata 01, the version the SARIF TC publishes). */
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning ranks results by this rule property (0.1-10, as CVSS bands). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/** docs/rules.md's anchor for a rule heading (the generator writes `## <rule id>`). */
export function ruleHelpUri(ruleId: string): string {
  return `${RULES_DOC_URL}#${ruleId.toLowerCase().replace(/[^a-z0-9_-]/g, '')}`;
}

interface ReportingDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  helpUri: string;
  help?: { text: string };
  defaultConfiguration: { level: Level };
  properties: Record<string, unknown>;
}

function pascalName(ruleId: string): string {
  return ruleId
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function describeRule(ruleId: string, fallback?: Finding): ReportingDescriptor {
  const rule = RULES_BY_ID.get(ruleId);
  const severity = rule?.severity ?? fallback?.severity ?? 'medium';
  return {
    id: ruleId,
    name: pascalName(ruleId),
    shortDescription: { text: rule?.title ?? fallback?.title ?? ruleId },
    ...(rule ? { fullDescription: { text: rule.rationale } } : {}),
    helpUri: ruleHelpUri(ruleId),
    ...(rule ? { help: { text: `${rule.rationale}\nReferences: ${rule.references.join(' ')}` } } : {}),
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: ['security', 'aks', ...(rule ? [rule.section] : [])],
      'security-severity': SECURITY_SEVERITY[severity],
      severity,
    },
  };
}

function result(cluster: ClusterReport, finding: Finding, ruleIndex: number) {
  const unknown = finding.status === 'unknown';
  const level: Level = unknown ? 'note' : LEVEL[finding.severity];
  const text = unknown
    ? `Could not be checked on ${cluster.name}: ${finding.message}`
    : `${finding.message}${finding.remediation ? ` Remediation: ${finding.remediation}` : ''}`;
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level,
    message: { text },
    locations: [
      {
        logicalLocations: [{ name: cluster.name, fullyQualifiedName: cluster.id, kind: 'resource' }],
      },
    ],
    partialFingerprints: {
      'aksComplianceFinding/v1': createHash('sha256')
        .update(`${cluster.id.toLowerCase()}|${finding.ruleId}`)
        .digest('hex'),
    },
    ...(finding.status === 'exempt'
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: finding.message }] }
      : {}),
    properties: {
      status: finding.status,
      severity: finding.severity,
      remediation: finding.remediation,
      clusterName: cluster.name,
      subscriptionId: cluster.subscriptionId,
      resourceGroup: cluster.resourceGroup,
      location: cluster.location,
      kubernetesVersion: cluster.kubernetesVersion,
      details: finding.details ?? {},
    },
  };
}

/** The findings a SARIF consumer should see: fails, unknowns and exempt fails (passes and n/a are left out). */
function reported(finding: Finding): boolean {
  return finding.status === 'fail' || finding.status === 'unknown' || finding.status === 'exempt';
}

export function renderSarif(report: ScanReport): string {
  const rules: ReportingDescriptor[] = ALL_RULES.map((rule) => describeRule(rule.id));
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const results = report.clusters.flatMap((cluster) =>
    cluster.findings.filter(reported).map((finding) => {
      let i = index.get(finding.ruleId);
      if (i === undefined) {
        // A stored run may name a rule this version no longer has: describe it from the finding itself.
        i = rules.push(describeRule(finding.ruleId, finding)) - 1;
        index.set(finding.ruleId, i);
      }
      return result(cluster, finding, i);
    }),
  );
  const version = packageVersion();
  const problems = report.problems ?? [];
  const sarif = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'aks-compliance',
            informationUri: PROJECT_URL,
            ...(/^\d+\.\d+\.\d+/.test(version) ? { version, semanticVersion: version } : {}),
            rules,
          },
        },
        automationDetails: { id: `aks-compliance/${report.runId}` },
        invocations: [
          {
            // An incomplete inventory is not a successful run: a CI gate must not read "no results" as "compliant".
            executionSuccessful: report.complete,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            toolExecutionNotifications: problems.map((problem) => ({
              level: 'error',
              message: { text: `${problem.scope}: ${problem.message}` },
              properties: { source: problem.source },
            })),
          },
        ],
        results,
        properties: {
          asOf: report.asOf,
          complete: report.complete,
          scope: report.scope,
          summary: report.summary,
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
