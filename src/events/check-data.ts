import * as v from 'valibot';

/** Distinct values remembered per field of an event type; past this the field's memory starts again. */
const REMEMBERED_PER_FIELD = 256;

/** Per object schema and field: primitive values its entry took as they are (the parse's output is the value itself). */
const passed = new WeakMap<object, Map<string, Set<unknown>>>();

const isPrimitive = (value: unknown) => value === null || (typeof value !== 'object' && typeof value !== 'function');
const isOptional = (schema: v.GenericSchema) => schema.type === 'optional' || schema.type === 'exact_optional' || schema.type === 'nullish';

/**
 * Parses an event's data as `v.safeParse(schema, data)` does, with the same output and the same
 * verdict, for less when many events repeat their values (a usage batch: 1,000 `usage.recorded`
 * of one subscription, customer, period, model, time). For an object schema (`v.object`, no pipe)
 * it runs each field's own schema as the object's parse would, in the schema's order, and skips a
 * field whose primitive value that field's schema already took as it is: a field schema is a pure
 * function of its value, so the same value passes again with the same output. Anything else (a
 * failing field, a default, a fallback, another kind of schema) goes through `v.safeParse`, whose
 * issues are the ones reported.
 */
export function parseEventData<S extends v.GenericSchema>(schema: S, data: unknown): v.SafeParseResult<S> {
  const output = quickParse(schema, data);
  return output === undefined ? v.safeParse(schema, data) : ({ typed: true, success: true, output, issues: undefined } as v.SafeParseResult<S>);
}

function quickParse(schema: v.GenericSchema, data: unknown): Record<string, unknown> | undefined {
  if (schema.type !== 'object' || 'pipe' in schema || schema.async || typeof data !== 'object' || data === null) return undefined;
  const entries = (schema as unknown as { entries: Record<string, v.GenericSchema & { default?: unknown; fallback?: unknown }> }).entries;
  let fields = passed.get(schema);
  if (!fields) passed.set(schema, (fields = new Map()));
  const input = data as Record<string, unknown>;
  const output: Record<string, unknown> = {};
  for (const key in entries) {
    const entry = entries[key]!;
    if (!(key in input)) {
      // An absent optional field without a default stays absent; a default, a fallback or a missing field is the full parse's to handle.
      if (isOptional(entry) && entry.default === undefined) continue;
      return undefined;
    }
    const value = input[key];
    if (isPrimitive(value)) {
      let values = fields.get(key);
      if (values?.has(value)) {
        output[key] = value;
        continue;
      }
      const parsed = v.safeParse(entry, value);
      if (!parsed.success) return undefined;
      output[key] = parsed.output;
      if (Object.is(parsed.output, value)) {
        if (!values) fields.set(key, (values = new Set()));
        if (values.size >= REMEMBERED_PER_FIELD) values.clear();
        values.add(value);
      }
    } else {
      const parsed = v.safeParse(entry, value);
      if (!parsed.success) return undefined;
      output[key] = parsed.output;
    }
  }
  return output;
}
