import { expect } from 'chai';
import { clientsWithOperator, dialModeOf } from '../../../../controller/verify/wiring.ts';

describe('verify wiring', () => {
  it("adds the operator's namespace to a policy's proxyClientNamespaces, once", () => {
    expect(clientsWithOperator(['clients'], 'mcp-operator-system')).to.deep.equal([
      'clients',
      'mcp-operator-system',
    ]);
    expect(clientsWithOperator([], 'ops')).to.deep.equal(['ops']);
    expect(clientsWithOperator(['ops'], 'ops')).to.deep.equal(['ops']);
  });
  it('leaves an unset list unset (anyone may connect), and the list alone when nothing dials the Services', () => {
    expect(clientsWithOperator(undefined, 'ops')).to.equal(undefined);
    expect(clientsWithOperator(['clients'], undefined)).to.deep.equal(['clients']);
  });
  it('checks nothing unless asked', () => {
    expect(dialModeOf(undefined)).to.equal('off');
    expect(dialModeOf({ mode: 'api-server' })).to.equal('api-server');
  });
});
