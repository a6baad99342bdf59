/**
 * The JSON Schema of record v1, compiled once with ajv (2020-12 draft, strict; `required` inside if/then names properties declared beside it, which strictRequired cannot see), for tests of
 * every package that makes records.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync(new URL('../schema/record-v1.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
// RFC 3339 date-time as toISOString() writes it (ajv-formats is not needed for one format).
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
const validate = ajv.compile(schema);

/** The schema's errors for `record`, `[]` when it is valid. */
export function schemaErrors(record: unknown): string[] {
  if (validate(record)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** Throws with the schema's errors unless every record is valid. */
export function assertValid(records: readonly unknown[]): void {
  for (const record of records) {
    const errors = schemaErrors(record);
    if (errors.length > 0) throw new Error(`invalid record ${JSON.stringify(record)}:\n${errors.join('\n')}`);
  }
}
