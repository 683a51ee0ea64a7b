import { expect } from 'chai';
import { parsePermissionProfile, type ProfileParseResult } from '../../../schemas/permission-profile.ts';

describe('parsePermissionProfile', () => {
  const cases: Record<string, { text: string; want: ProfileParseResult }> = {
    "reads ToolHive's format": {
      text: '{"read":["/a"],"write":[],"network":{"outbound":{"insecure_allow_all":false,"allow_host":["x.io"],"allow_port":[443]}}}',
      want: {
        profile: {
          read: ['/a'],
          write: [],
          network: { outbound: { insecure_allow_all: false, allow_host: ['x.io'], allow_port: [443] } },
        },
      },
    },
    'ignores unknown keys, as Go does': {
      text: '{"privileged":false}',
      want: { profile: { privileged: false } as never },
    },
    'accepts an empty object': { text: '{}', want: { profile: {} } },
    'rejects a JSON array': { text: '[]', want: { error: 'must be a JSON object' } },
    'rejects a port out of range': {
      text: '{"network":{"outbound":{"allow_port":[0]}}}',
      want: { error: 'network.outbound.allow_port must be a list of ports' },
    },
    'rejects a string where a boolean belongs': {
      text: '{"network":{"outbound":{"insecure_allow_all":"yes"}}}',
      want: { error: 'network.outbound.insecure_allow_all must be a boolean' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(parsePermissionProfile(c.text)).to.deep.equal(c.want));
  }
  it('rejects invalid JSON, saying where', () => {
    expect(parsePermissionProfile('{\n "read": ["/a"],\n oops }')).to.deep.equal({
      error: 'invalid JSON at line 3 column 2',
    });
    expect(parsePermissionProfile('{"read":')).to.deep.equal({ error: 'invalid JSON (unexpected end)' });
  });
  it('never quotes the content it could not parse (it may be secret, and errors reach status)', () => {
    for (const text of ['sentinel-4711 is not json', '{"read": sentinel-4711}', '{"a": 1 sentinel-4711}']) {
      const result = parsePermissionProfile(text);
      expect(result).to.have.property('error').that.does.not.include('sentinel');
    }
  });
});
