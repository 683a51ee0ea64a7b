import { expect } from 'chai';
import {
  duplicate,
  FieldPath,
  forbidden,
  formatFieldError,
  goQuote,
  invalid,
  notFound,
  notSupported,
  required,
  tooLong,
  typeInvalid,
  type FieldError,
} from '../../../webhook/field.ts';

describe('formatFieldError', () => {
  const spec = FieldPath.of('spec');
  // Expected strings are what apimachinery's field.Error.Error() prints for the same error.
  const cases: Record<string, { error: FieldError; want: string }> = {
    'Not found with a quoted string': {
      error: notFound(spec.child('secrets').index(0).child('key'), 'token'),
      want: 'spec.secrets[0].key: Not found: "token"',
    },
    'Unsupported value with the quoted choices': {
      error: notSupported(spec.child('transport'), 'foo', ['stdio', 'sse', 'streamable-http']),
      want: 'spec.transport: Unsupported value: "foo": supported values: "stdio", "sse", "streamable-http"',
    },
    'Required value without detail': {
      error: required(spec.child('image')),
      want: 'spec.image: Required value',
    },
    'Required value with detail, never the value': {
      error: required(spec.child('x'), 'set it'),
      want: 'spec.x: Required value: set it',
    },
    'Forbidden shows only the detail': {
      error: forbidden(spec.child('audit'), 'not supported by this operator'),
      want: 'spec.audit: Forbidden: not supported by this operator',
    },
    'Invalid value with a number': {
      error: invalid(spec.child('port'), 0, 'must be greater than or equal to 1'),
      want: 'spec.port: Invalid value: 0: must be greater than or equal to 1',
    },
    'Invalid value with a list as JSON': {
      error: invalid(spec.child('p'), [1, 2], 'bad'),
      want: 'spec.p: Invalid value: [1,2]: bad',
    },
    'TypeInvalid reads as Invalid value': {
      error: typeInvalid(spec.child('image'), true, 'must be of type string'),
      want: 'spec.image: Invalid value: true: must be of type string',
    },
    'Duplicate value': {
      error: duplicate(spec.child('env').index(1).child('name'), 'A'),
      want: 'spec.env[1].name: Duplicate value: "A"',
    },
    'Too long omits the value': {
      error: tooLong(spec.child('image'), 10),
      want: 'spec.image: Too long: may not be more than 10 bytes',
    },
    'map keys in brackets': {
      error: notFound(spec.child('limits').key('cpu'), 'x'),
      want: 'spec.limits[cpu]: Not found: "x"',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(formatFieldError(c.error)).to.equal(c.want));
  }
  it('quotes strings as Go strconv.Quote does', () => {
    expect(goQuote('a"b\\c\n\t\x01é')).to.equal('"a\\"b\\\\c\\n\\t\\x01é"');
  });
});
