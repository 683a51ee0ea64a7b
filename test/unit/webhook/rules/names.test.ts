import { expect } from 'chai';
import { FieldPath, invalid, type FieldError } from '../../../../webhook/field.ts';
import { checkName, MAX_NAME_LENGTH } from '../../../../webhook/rules/names.ts';
import { mcpServer } from '../builders.ts';

describe('checkName', () => {
  const name = FieldPath.of('metadata').child('name');
  const longest = 'a'.repeat(MAX_NAME_LENGTH);
  const tooLong = 'a'.repeat(MAX_NAME_LENGTH + 1);
  const cases: Record<string, { server: unknown; want: FieldError[] }> = {
    'accepts a short lowercase name': { server: mcpServer('github'), want: [] },
    'accepts a name of exactly 50 characters': { server: mcpServer(longest), want: [] },
    'accepts no name (generateName is resolved by the API server)': { server: { metadata: {} }, want: [] },
    'rejects 51 characters, naming the Service that would be too long': {
      server: mcpServer(tooLong),
      want: [
        invalid(
          name,
          tooLong,
          `must be no more than 50 characters: the Service "mcp-${tooLong}-headless" must be a DNS-1035 label (at most 63 characters)`,
        ),
      ],
    },
    'rejects a dotted name, which no Service name may contain': {
      server: mcpServer('my.server'),
      want: [
        invalid(
          name,
          'my.server',
          `must consist of lower case alphanumeric characters or '-' and end with an alphanumeric character: the Service "mcp-my.server-headless" must be a DNS-1035 label`,
        ),
      ],
    },
    'rejects upper case': {
      server: mcpServer('GitHub'),
      want: [
        invalid(
          name,
          'GitHub',
          `must consist of lower case alphanumeric characters or '-' and end with an alphanumeric character: the Service "mcp-GitHub-headless" must be a DNS-1035 label`,
        ),
      ],
    },
  };
  for (const [title, c] of Object.entries(cases)) {
    it(title, () => expect(checkName(c.server)).to.deep.equal(c.want));
  }
  it('allows 50 characters because "mcp-" + name + "-headless" must fit in 63', () => {
    expect(MAX_NAME_LENGTH).to.equal(50);
  });
});
