// Evaluates every rule on a cluster. One rule that throws is reported as unknown for that cluster; the rest run.
import type { ClusterRecord, ClusterReport, Finding, Rule, RuleContext, RuleOutcome } from '../model';
import { isStatus } from '../model';
import { reportedVersion } from './common';
import { ALL_RULES } from './index';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function safeRemediation(rule: Rule, cluster: ClusterRecord, outcome: RuleOutcome, ctx: RuleContext): string {
  try {
    return rule.remediation(cluster, outcome, ctx);
  } catch {
    return '';
  }
}

export function evaluateRule(rule: Rule, cluster: ClusterRecord, ctx: RuleContext): Finding {
  let outcome: RuleOutcome;
  try {
    outcome = rule.evaluate(cluster, ctx);
    // Rules are plain code; guard against one returning something that is not an outcome (exempt is never a rule's).
    const status: unknown = outcome?.status;
    if (!isStatus(status) || status === 'exempt') {
      throw new Error(`rule returned an invalid outcome status ${JSON.stringify(outcome?.status)}`);
    }
  } catch (err) {
    const error = errorText(err);
    outcome = {
      status: 'unknown',
      message: `The rule could not be evaluated: ${error}`,
      details: { error },
    };
  }
  return {
    ruleId: rule.id,
    status: outcome.status,
    severity: outcome.severity ?? rule.severity,
    title: rule.title,
    message: typeof outcome.message === 'string' ? outcome.message : '',
    remediation: safeRemediation(rule, cluster, outcome, ctx),
    details: outcome.details ?? {},
  };
}

export function evaluateCluster(
  cluster: ClusterRecord,
  ctx: RuleContext,
  rules: readonly Rule[] = ALL_RULES,
): ClusterReport {
  return {
    id: cluster.id,
    name: cluster.name,
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    location: cluster.location,
    kubernetesVersion: reportedVersion(cluster),
    tags: cluster.tags,
    findings: rules.map((rule) => evaluateRule(rule, cluster, ctx)),
  };
}
