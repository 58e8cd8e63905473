// Validation of reports against the published JSON Schema (docs/report.schema.json).
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
// A copy of docs/report.schema.json inside src/, so it ships with the function package (docs/ does not);
// schema.test.ts fails when the two differ.
import reportSchema from './report.schema.json';

export { reportSchema };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(reportSchema);
  }
  return compiled;
}

/** Problems of a report against the schema, one readable line each; empty when it is valid. */
export function validateReport(report: unknown): string[] {
  const validate = validator();
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath === '' ? '(report)' : e.instancePath;
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})`
          : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  });
}
