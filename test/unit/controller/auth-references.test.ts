// The controller's plumbing for authentication and authorization: which objects wake which MCPServers
// (informers.ts referencedBy), the policy ConfigMap's proxyClientNamespaces as events change it
// (policy-watch.ts), and the flags that configure them.
import { expect } from 'chai';
import { parseControllerOptions } from '../../../cli/commands/controller.ts';
import { splitRunArgs } from '../../../cli/commands/run.ts';
import { keysFor } from '../../../controller/manager.ts';
import { configFiles } from '../../../controller/desired/oidc-files.ts';
import { authConfigMapNames, referencedBy } from '../../../controller/informers.ts';
import { proxyClientsAfter } from '../../../controller/policy-watch.ts';
import type { Dict } from '../../../controller/desired/types.ts';
import type { MCPServer } from '../../../schemas/generated/mcpserver.ts';

const server = (name: string, spec: Dict): Dict => ({ metadata: { name, namespace: 'team-a' }, spec });

describe('references of authentication and authorization', () => {
  it('an MCPServer reads its MCPOIDCConfig, MCPAuthzConfig and authz/OIDC ConfigMaps', () => {
    expect(
      referencedBy(
        server('s', { oidcConfigRef: { name: 'idp', audience: 'a' }, authzConfigRef: { name: 'z' } }),
      ),
    ).to.deep.equal(['team-a/MCPOIDCConfig/idp', 'team-a/MCPAuthzConfig/z']);
    const legacy = server('s', {
      oidcConfig: { type: 'configMap', configMap: { name: 'oidc' } },
      authzConfig: { configMap: { name: 'authz' } },
    });
    expect(referencedBy(legacy)).to.deep.equal(['team-a/ConfigMap/oidc', 'team-a/ConfigMap/authz']);
    expect(authConfigMapNames({ authzConfig: { type: 'inline', inline: { policies: [] } } })).to.deep.equal(
      [],
    );
  });

  it('the legacy inline oidcConfig wakes for its client Secret and CA ConfigMap; an MCPOIDCConfig names its own', () => {
    const inline = {
      issuer: 'https://idp.example',
      clientSecretRef: { name: 'idp-client', key: 'k' },
      caBundleRef: { configMapRef: { name: 'idp-ca' } },
    };
    expect(referencedBy(server('s', { oidcConfig: { type: 'inline', inline } }))).to.deep.equal([
      'team-a/Secret/idp-client',
      'team-a/ConfigMap/idp-ca',
    ]);
    const config = { metadata: { name: 'corp-idp', namespace: 'team-a' }, spec: { type: 'inline', inline } };
    expect(configFiles(config)).to.deep.equal([
      {
        kind: 'Secret',
        name: 'idp-client',
        key: 'k',
        field: 'MCPOIDCConfig corp-idp: spec.inline.clientSecretRef',
      },
      {
        kind: 'ConfigMap',
        name: 'idp-ca',
        key: 'ca.crt',
        field: 'MCPOIDCConfig corp-idp: spec.inline.caBundleRef',
      },
    ]);
    const k8s = { ...config, spec: { type: 'kubernetesServiceAccount', kubernetesServiceAccount: {} } };
    expect(configFiles(k8s)).to.deep.equal([]);
    // Through oidcConfigRef the server itself names no file: the config's index wakes it (manager.ts).
    expect(referencedBy(server('s', { oidcConfigRef: { name: 'corp-idp', audience: 'a' } }))).to.deep.equal([
      'team-a/MCPOIDCConfig/corp-idp',
    ]);
  });

  it('a change to an MCPAuthzConfig wakes the servers that name it, not the others', () => {
    const servers = [
      server('uses', { authzConfigRef: { name: 'z' } }),
      server('other', { authzConfigRef: { name: 'y' } }),
    ] as unknown as MCPServer[];
    const config = { metadata: { name: 'z', namespace: 'team-a' } };
    expect(keysFor('MCPAuthzConfig', config, servers)).to.deep.equal(['team-a/uses']);
  });
});

describe('proxyClientsAfter: the policy ConfigMap’s proxyClientNamespaces, event by event', () => {
  const cm = (text: string): Dict => ({ data: { 'policy.yaml': text } });
  it('follows edits, keeps the last good value on a broken one, and drops it when the ConfigMap goes', () => {
    const first = proxyClientsAfter(undefined, 'add', cm('proxyClientNamespaces: [clients]\n'));
    expect(first).to.deep.equal({ value: ['clients'] });
    const broken = proxyClientsAfter(first.value, 'update', cm('proxyClientNamespaces: [Bad_Name]\n'));
    expect(broken.value).to.deep.equal(['clients']);
    expect(broken.problem).to.include('Bad_Name');
    expect(proxyClientsAfter(first.value, 'update', cm('podSecurityLevel: baseline\n'))).to.deep.equal({
      value: undefined,
    });
    expect(proxyClientsAfter(first.value, 'delete', cm(''))).to.deep.equal({ value: undefined });
  });
});

describe('the controller’s flags for authentication', () => {
  it('--policy-configmap NS/NAME and --service-account-issuer URL, checked', () => {
    const ok = parseControllerOptions(
      ['--policy-configmap', 'ops/policy', '--service-account-issuer', 'https://issuer.example'],
      {},
    );
    expect(ok).to.deep.include({
      policyConfigMap: { namespace: 'ops', name: 'policy' },
      serviceAccountIssuer: 'https://issuer.example',
    });
    expect(parseControllerOptions(['--policy-configmap', 'policy'], {})).to.deep.equal({
      problem: '--policy-configmap must be NAMESPACE/NAME',
    });
    expect(parseControllerOptions(['--service-account-issuer', 'not a url'], {})).to.have.property('problem');
  });

  it('`run` passes --policy-configmap to both the webhook and the controller', () => {
    expect(splitRunArgs(['--policy-configmap', 'ops/p', '--service-account-issuer=https://i'])).to.deep.equal(
      {
        webhook: ['--policy-configmap', 'ops/p'],
        controller: ['--policy-configmap', 'ops/p', '--service-account-issuer=https://i'],
      },
    );
  });
});
