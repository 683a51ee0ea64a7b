import { expect } from 'chai';
import {
  FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
  tooLong,
  typeInvalid,
  type FieldError,
} from '../../../webhook/field.ts';
import { checkSchema, pointerToPath } from '../../../webhook/schema-validation.ts';
import { mcpServer, withSpec } from './builders.ts';

describe('checkSchema', () => {
  const spec = FieldPath.of('spec');
  const cases: Record<string, { object: unknown; want: FieldError[] }> = {
    'accepts a minimal server': { object: mcpServer('s'), want: [] },
    'accepts ToolHive-only fields of any shape (a rule denies them)': {
      object: mcpServer(
        's',
        withSpec({ ingress: 'g', oidcConfig: { type: 'inline' }, podTemplateSpec: { anything: 1 } }),
      ),
      want: [],
    },
    'requires spec': {
      object: { apiVersion: 'v', kind: 'MCPServer', metadata: {} },
      want: [required(FieldPath.of('spec'))],
    },
    'requires spec.image': { object: { spec: {} }, want: [required(spec.child('image'))] },
    'reports an enum violation as Unsupported value': {
      object: mcpServer('s', withSpec({ transport: 'websocket' })),
      want: [notSupported(spec.child('transport'), 'websocket', ['stdio', 'streamable-http', 'sse'])],
    },
    'reports a wrong type as Invalid value with the expected type': {
      object: mcpServer('s', withSpec({ port: '8080' })),
      want: [typeInvalid(spec.child('port'), '8080', 'must be of type integer')],
    },
    'reports a port out of range': {
      object: mcpServer('s', withSpec({ proxyPort: 70000 })),
      want: [invalid(spec.child('proxyPort'), 70000, 'must be less than or equal to 65535')],
    },
    'reports negative replicas': {
      object: mcpServer('s', withSpec({ replicas: -1 })),
      want: [invalid(spec.child('replicas'), -1, 'must be greater than or equal to 0')],
    },
    'reports a missing key inside a list item': {
      object: mcpServer('s', withSpec({ secrets: [{ name: 'a' }] })),
      want: [required(spec.child('secrets').index(0).child('key'))],
    },
    'reports a too long image': {
      object: mcpServer('s', withSpec({ image: 'x'.repeat(4097) })),
      want: [tooLong(spec.child('image'), 4096)],
    },
    'reports an undeclared field, which the API server would drop': {
      object: mcpServer('s', withSpec({ tranport: 'sse' })),
      want: [
        forbidden(
          spec.child('tranport'),
          'unknown field: not declared in the MCPServer schema, so the API server would drop it',
        ),
      ],
    },
    'reports every error at once': {
      object: mcpServer('s', withSpec({ image: 1, transport: 'x' })),
      want: [
        typeInvalid(spec.child('image'), 1, 'must be of type string'),
        notSupported(spec.child('transport'), 'x', ['stdio', 'streamable-http', 'sse']),
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(checkSchema(c.object)).to.deep.equal(c.want));
  }
  it('turns JSON pointers into field paths, unescaping ~1 and ~0', () => {
    expect(String(pointerToPath('/spec/secrets/0/key'))).to.equal('spec.secrets[0].key');
    expect(String(pointerToPath('/metadata/labels/a~1b'))).to.equal('metadata.labels.a/b');
  });
  it('never throws on inputs of any shape', () => {
    for (const input of [null, 1, 'x', [], { spec: null }, { spec: [] }])
      expect(() => checkSchema(input)).to.not.throw();
  });
});
