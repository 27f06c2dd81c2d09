import * as v from 'valibot';

/** A schema over one variable's text (the environment holds text only). */
export type TextSchema = v.GenericSchema<string, unknown>;

/** What reading one variable gave: the value the configuration holds, or the first problem's message. */
export type Reading<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * One environment variable, declared once: its name, how its text becomes the value the
 * configuration holds (units and lists converted), its default as a user writes it, and one
 * line telling users what it does (docs/configuration.md is generated from it).
 */
export class Setting<T> {
  readonly variable: string;
  /** The text used when the variable is unset, as a user would write it; none when undefined. */
  readonly default: string | undefined;
  /** What it does, one line of Markdown for the configuration reference. */
  readonly doc: string;
  /** The only values allowed, when the schema is a fixed list (shown in the reference). */
  readonly values: readonly string[] | undefined;
  readonly #read: (text: string | undefined) => Reading<T>;

  constructor(declared: { variable: string; default: string | undefined; doc: string; values: readonly string[] | undefined; read: (text: string | undefined) => Reading<T> }) {
    this.variable = declared.variable;
    this.default = declared.default;
    this.doc = declared.doc;
    this.values = declared.values;
    this.#read = declared.read;
  }

  /** The value from the variable's text (`undefined` when unset), the default applied. */
  read(text: string | undefined): Reading<T> {
    return this.#read(text);
  }
}

/** The options of a picklist schema (also at the head of a pipe, which takes its first schema's fields). */
function picklistOptions(schema: TextSchema): readonly string[] | undefined {
  if (schema.type !== 'picklist' || !('options' in schema) || !Array.isArray(schema.options)) return undefined;
  return schema.options.filter((option): option is string => typeof option === 'string');
}

/**
 * Declares a variable with a default: `setting('PORT', port, '3000', 'HTTP port')`. The default
 * goes through the schema like any value; `to` converts the parsed value for the configuration
 * (`secondsToMs`, a list from commas, …).
 */
export function setting<S extends TextSchema, T = v.InferOutput<S>>(variable: string, schema: S, fallback: string, doc: string, to?: (value: v.InferOutput<S>) => T): Setting<T>;
/** Declares a variable without a default: unset, it is `undefined` (or what `to` makes of that). */
export function setting<S extends TextSchema, T = v.InferOutput<S> | undefined>(
  variable: string,
  schema: S,
  fallback: undefined,
  doc: string,
  to?: (value: v.InferOutput<S> | undefined) => T,
): Setting<T>;
export function setting(variable: string, schema: TextSchema, fallback: string | undefined, doc: string, to: (value: unknown) => unknown = (value) => value): Setting<unknown> {
  return new Setting({
    variable,
    default: fallback,
    doc,
    values: picklistOptions(schema),
    read: (text) => {
      const source = text ?? fallback;
      if (source === undefined) return { ok: true, value: to(undefined) };
      const result = v.safeParse(schema, source);
      return result.success ? { ok: true, value: to(result.output) } : { ok: false, message: result.issues[0].message };
    },
  });
}

/** Settings nested as the configuration is: each leaf a setting, each branch a group. */
export interface SettingTree {
  readonly [key: string]: Setting<unknown> | SettingTree;
}

/** The configuration a tree of settings reads into: each setting replaced by its value's type. */
export type ConfigOf<Tree> = { [K in keyof Tree]: Tree[K] extends Setting<infer T> ? T : ConfigOf<Tree[K]> };

/** Every setting of a tree once (one may land in two places), in the order declared. */
export function settingsOf(tree: SettingTree): Setting<unknown>[] {
  const found = Object.values(tree).flatMap((node) => (node instanceof Setting ? [node] : settingsOf(node)));
  return [...new Set(found)];
}

/** A configuration problem, naming the variable. */
export class ConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.variable = variable;
    this.name = 'ConfigError';
  }
}

/**
 * Reads every setting of the tree from `env` (unset variables absent) into an object of the
 * same shape. Throws a ConfigError naming the first variable, in the order declared, whose value is refused.
 */
export function readTree<Tree extends SettingTree>(tree: Tree, env: Readonly<Record<string, string>>): ConfigOf<Tree> {
  const read = (branch: SettingTree): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, node] of Object.entries(branch)) {
      if (!(node instanceof Setting)) {
        out[key] = read(node);
        continue;
      }
      const reading = node.read(env[node.variable]);
      if (!reading.ok) throw new ConfigError(node.variable, reading.message);
      out[key] = reading.value;
    }
    return out;
  };
  // The walk builds exactly the shape ConfigOf<Tree> describes; TypeScript cannot follow a recursive walk.
  return read(tree) as ConfigOf<Tree>;
}
