// Validation of stored alert batches (what the notifier reads back from the store) against src/alerts/batch.schema.json.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import batchSchema from './batch.schema.json';
import type { AlertBatch } from './alerts';

export { batchSchema };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // allErrors off: the first error is enough to answer, and hostile bodies do not make us collect thousands.
    const ajv = new Ajv2020({ allErrors: false, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(batchSchema);
  }
  return compiled;
}

export type BatchValidation = { ok: true; batch: AlertBatch } | { ok: false; field: string; message: string };

function describe(e: ErrorObject): { field: string; message: string } {
  const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
  // Name the offending field itself, not its parent, where ajv reports it as a parameter.
  const field =
    e.keyword === 'additionalProperties' && params.additionalProperty !== undefined
      ? `${e.instancePath}/${params.additionalProperty}`
      : e.keyword === 'required' && params.missingProperty !== undefined
        ? `${e.instancePath}/${params.missingProperty}`
        : e.instancePath || '/';
  const what =
    e.keyword === 'additionalProperties'
      ? 'is not a known field'
      : e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'enum'
          ? `must be one of ${(params.allowedValues ?? []).join(', ')}`
          : (e.message ?? 'is invalid');
  return { field, message: `${field} ${what}` };
}

/** Checks a batch; on failure names the first offending field as a JSON pointer. */
export function validateBatch(body: unknown): BatchValidation {
  const validate = validator();
  if (validate(body)) return { ok: true, batch: body as AlertBatch };
  const first = validate.errors?.[0];
  return first ? { ok: false, ...describe(first) } : { ok: false, field: '/', message: '/ is invalid' };
}
