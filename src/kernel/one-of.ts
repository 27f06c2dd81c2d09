import * as v from 'valibot';

/** How a field hears that its value is not in `values`: `must be one of sme, institution, individual`. */
export const mustBeOneOf = (values: readonly (string | number | bigint)[]): string => `must be one of ${values.join(', ')}`;

/**
 * A picklist of `values` (a db/schema list) whose refusal names them, in the one wording
 * every field uses. Prefer it to `v.picklist(values, message)` for anything a caller sends.
 *
 * @example
 * const input = v.object({ kind: oneOf(customerKinds) });
 */
export const oneOf = <const T extends v.PicklistOptions>(values: T) => v.picklist(values, mustBeOneOf(values));
