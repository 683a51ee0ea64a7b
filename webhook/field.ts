// Field paths and field errors, shaped and printed like k8s.io/apimachinery/pkg/util/validation/field,
// so a denial from our webhook reads exactly like one from the API server itself
// (`spec.secrets[0].key: Not found: "token"`). No dependencies: rules, schema validation and the CLI share it.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueNotFound'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  /** The dotted path, e.g. `spec.secrets[0].key`. */
  field: string;
  /** The offending value; printed for the types whose message shows a value. */
  value: unknown;
  detail: string;
}

/**
 * An immutable path into an object: `FieldPath.of('spec').child('secrets').index(0).key('a')`. Rules make
 * a path for every field they look at, and almost all of them are never printed (the object is valid), so
 * a path only links to its parent and spells itself out the first time it is printed.
 */
export class FieldPath {
  readonly #parent: FieldPath | undefined;
  /** A field name for child(), or what goes in brackets for index() and key(). */
  readonly #segment: string | number;
  readonly #bracketed: boolean;
  #text: string | undefined;

  private constructor(parent: FieldPath | undefined, segment: string | number, bracketed: boolean) {
    this.#parent = parent;
    this.#segment = segment;
    this.#bracketed = bracketed;
  }

  static of(name: string): FieldPath {
    return new FieldPath(undefined, name, false);
  }

  /** Names that are empty are skipped, as apimachinery's Child does for an empty root. */
  child(...names: string[]): FieldPath {
    return names.reduce<FieldPath>(
      (path, name) => (name === '' ? path : new FieldPath(path, name, false)),
      this,
    );
  }

  index(i: number): FieldPath {
    return new FieldPath(this, i, true);
  }

  /** A map key, printed as apimachinery's Path.Key does: `metadata.labels[app]`. */
  key(k: string): FieldPath {
    return new FieldPath(this, k, true);
  }

  toString(): string {
    if (this.#text !== undefined) return this.#text;
    // Iterative, so that however deep a path goes, printing it cannot overflow the stack.
    const unprinted: FieldPath[] = [this];
    let printed = this.#parent;
    while (printed !== undefined && printed.#text === undefined) {
      unprinted.push(printed);
      printed = printed.#parent;
    }
    let text = printed === undefined ? '' : (printed.#text ?? '');
    for (let i = unprinted.length - 1; i >= 0; i--) {
      const path = unprinted[i]!;
      const segment = String(path.#segment);
      if (path.#bracketed) text = `${text}[${segment}]`;
      else if (text !== '') text = `${text}.${segment}`;
      else text = segment;
      path.#text = text;
    }
    return text;
  }
}

const fieldError = (type: FieldErrorType, p: FieldPath, value: unknown, detail: string): FieldError => ({
  type,
  field: String(p),
  value,
  detail,
});

export const required = (p: FieldPath, detail = ''): FieldError =>
  fieldError('FieldValueRequired', p, '', detail);
export const invalid = (p: FieldPath, value: unknown, detail: string): FieldError =>
  fieldError('FieldValueInvalid', p, value, detail);
export const typeInvalid = (p: FieldPath, value: unknown, detail: string): FieldError =>
  fieldError('FieldValueTypeInvalid', p, value, detail);
export const notFound = (p: FieldPath, value: unknown, detail = ''): FieldError =>
  fieldError('FieldValueNotFound', p, value, detail);
export const duplicate = (p: FieldPath, value: unknown): FieldError =>
  fieldError('FieldValueDuplicate', p, value, '');
export const forbidden = (p: FieldPath, detail: string): FieldError =>
  fieldError('FieldValueForbidden', p, '', detail);

export const notSupported = (p: FieldPath, value: unknown, allowed: readonly string[]): FieldError =>
  fieldError(
    'FieldValueNotSupported',
    p,
    value,
    allowed.length > 0 ? `supported values: ${allowed.map(goQuote).join(', ')}` : '',
  );

export const tooLong = (p: FieldPath, maxLength: number): FieldError =>
  fieldError(
    'FieldValueTooLong',
    p,
    '<value omitted>',
    `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`,
  );

const TYPE_WORDS: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotFound: 'Not found',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
};

// Types whose message never shows the value (apimachinery's ErrorBody switch).
const VALUELESS: ReadonlySet<FieldErrorType> = new Set([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
]);

/** The message without the field, as in a Status cause: `Not found: "token"`. */
export function errorBody(e: FieldError): string {
  const words = TYPE_WORDS[e.type];
  const head = VALUELESS.has(e.type) ? words : `${words}: ${formatValue(e.value)}`;
  return e.detail ? `${head}: ${e.detail}` : head;
}

/** The whole message, as field.Error.Error(): `spec.secrets[0].key: Not found: "token"`. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** Strings as Go's %q, numbers and booleans as %v, anything else as JSON (what Go's json.Marshal gives). */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '<unprintable>';
  }
}

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote for the characters that occur in practice: printable Unicode stays as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    const escaped = GO_ESCAPES[ch];
    if (escaped) out += escaped;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
