// Status of an MCPServer with authentication or authorization references: ToolHive's conditions
// OIDCConfigRefValidated and AuthzConfigRefValidated (only on servers that have one), and Ready False
// while one cannot be resolved, saying that the proxy keeps its last configuration.
import { expect } from 'chai';
import type { Dict, Finding } from '../../../controller/desired/types.ts';
import { statusFor, type Observed } from '../../../controller/status.ts';
import { config, mcpServer } from './builders.ts';

const OK: Finding = { status: 'True', reason: 'Resolved', message: 'ok' };
const NOW = new Date('2026-01-01T00:00:00Z');
const ready: Dict = { spec: { replicas: 1 }, status: { readyReplicas: 1 } };
const observed = (findings: Partial<Observed['findings']>): Observed => ({
  statefulSet: ready,
  deployment: ready,
  pods: [],
  findings: { secrets: OK, permissionProfile: OK, ...findings },
  applyFailure: undefined,
});
const conditionTypes = (o: Observed) =>
  (statusFor(mcpServer('a'), o, config(), NOW).conditions ?? []).map((c) => c.type);

describe('statusFor with authentication and authorization references', () => {
  it('adds the reference conditions only when the server has the reference', () => {
    expect(conditionTypes(observed({}))).not.to.include('OIDCConfigRefValidated');
    expect(conditionTypes(observed({}))).not.to.include('AuthzConfigRefValidated');
    const both = conditionTypes(
      observed({
        oidc: { status: 'True', reason: 'OIDCConfigRefValid', message: 'MCPOIDCConfig idp is valid' },
        authz: { status: 'True', reason: 'AuthzConfigRefValid', message: 'MCPAuthzConfig z is valid' },
      }),
    );
    expect(both.slice(-2)).to.deep.equal(['OIDCConfigRefValidated', 'AuthzConfigRefValidated']);
  });

  it('is Ready with valid references', () => {
    const status = statusFor(
      mcpServer('a'),
      observed({ oidc: { status: 'True', reason: 'OIDCConfigRefValid', message: 'ok' } }),
      config(),
      NOW,
    );
    expect(status.phase).to.equal('Ready');
  });

  it('a missing MCPOIDCConfig: condition False with its reason, Ready False, even with both pods ready', () => {
    const finding: Finding = {
      status: 'False',
      reason: 'OIDCConfigRefNotFound',
      message: 'MCPOIDCConfig idp not found in namespace team-a',
    };
    const status = statusFor(mcpServer('a'), observed({ oidc: finding }), config(), NOW);
    const byType = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c]));
    expect(byType.OIDCConfigRefValidated).to.deep.include({
      status: 'False',
      reason: 'OIDCConfigRefNotFound',
      message: finding.message,
    });
    expect(byType.Ready).to.deep.include({ status: 'False', reason: 'OIDCConfigRefNotFound' });
    expect(byType.Ready?.message).to.equal(
      'MCPOIDCConfig idp not found in namespace team-a; the proxy keeps its last configuration',
    );
    expect(status.phase).to.equal('Failed');
  });

  it('an authz config that is not valid: its condition False and Ready False', () => {
    const finding: Finding = { status: 'False', reason: 'AuthzConfigRefNotValid', message: 'bad' };
    const status = statusFor(mcpServer('a'), observed({ authz: finding }), config(), NOW);
    const readyCondition = status.conditions?.find((c) => c.type === 'Ready');
    expect(readyCondition?.reason).to.equal('AuthzConfigRefNotValid');
    expect(status.conditions?.find((c) => c.type === 'AuthzConfigRefValidated')?.status).to.equal('False');
  });
});
