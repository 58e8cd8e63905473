// Validation of SARIF logs against the vendored OASIS SARIF 2.1.0 schema (see README.md beside this file).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

const schemaFile = path.join(__dirname, 'sarif-schema-2.1.0.json');

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

function compile() {
  // The schema is JSON Schema draft-04, whose identifier keyword is `id`; Ajv 8 reads draft-07 and later, where it
  // is `$id`. The schema uses no other draft-04-only keyword (no boolean exclusiveMinimum/Maximum), so renaming
  // that one keyword (and dropping the draft-04 `$schema`) keeps every constraint as published.
  const { $schema: _draft, id, ...rest } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile({ $id: String(id), ...rest });
}

/** The schema violations of a SARIF log (empty when valid), each as `path: message`. */
export function sarifErrors(log: unknown): string[] {
  validator ??= compile();
  return validator(log) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
