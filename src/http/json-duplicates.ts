interface ObjectFrame {
  kind: 'object';
  path: string;
  keys: Set<string>;
  /** The key whose value is being read; null while the next token is a key. */
  key: string | null;
}
interface ArrayFrame {
  kind: 'array';
  path: string;
  index: number;
}
type Frame = ObjectFrame | ArrayFrame;

const join = (path: string, part: string | number) => (path ? `${path}.${part}` : String(part));

/** The end of the string literal starting at `start` (its opening quote): the index of its closing quote. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** Where a walk over a JSON text stopped: the path of the value being read, or of the object whose key was being read. */
interface Position {
  path: string;
  inKey: boolean;
}

/**
 * Walks a JSON text, or a prefix of one, in one linear pass: calls `onKey` with each key
 * (unescaped) and its object, and answers where the text ends.
 */
function walkJson(json: string, onKey: (object: ObjectFrame, key: string) => void): Position {
  const stack: Frame[] = [];
  const valuePath = () => {
    const top = stack.at(-1);
    if (!top) return '';
    return top.kind === 'object' ? join(top.path, top.key ?? '') : join(top.path, top.index);
  };
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      const end = endOfString(json, i);
      const top = stack.at(-1);
      const object = top?.kind === 'object' && top.key === null ? top : undefined;
      if (end >= json.length) return object ? { path: object.path, inKey: true } : { path: valuePath(), inKey: false };
      if (object) {
        const raw = json.slice(i + 1, end);
        const key: string = raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw;
        onKey(object, key);
        object.key = key;
      }
      i = end;
    } else if (ch === '{' || ch === '[') {
      const path = valuePath();
      stack.push(ch === '{' ? { kind: 'object', path, keys: new Set(), key: null } : { kind: 'array', path, index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack.at(-1);
      if (top?.kind === 'object') top.key = null;
      else if (top) top.index++;
    }
  }
  return { path: valuePath(), inKey: false };
}

/**
 * The paths (`role`, `records.0.model`) of keys that occur more than once in
 * their object, anywhere in a JSON text that `JSON.parse` accepted. `JSON.parse`
 * keeps the last of duplicated keys silently, so `{"role":"viewer","role":"admin"}`
 * would reach validation as an admin; this finds such keys in one linear pass.
 * Keys are compared after unescaping (`"\u0061"` is `"a"`).
 */
export function findDuplicateKeys(json: string): string[] {
  const duplicates: string[] = [];
  walkJson(json, (object, key) => {
    if (object.keys.has(key)) duplicates.push(join(object.path, key));
    object.keys.add(key);
  });
  return duplicates;
}

/**
 * The field (`name`, `records.0.model`) being written where `prefix`, the start of a JSON
 * text, ends: to name the field of a fault found at that point (a byte that is not UTF-8).
 * Inside a key it is the key's object; '' at the top.
 */
export const fieldAt = (prefix: string): string => walkJson(prefix, () => {}).path;
