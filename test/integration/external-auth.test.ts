// Outgoing authentication on the real control plane:
// - admission, through the webhook running in-process (local-webhook.ts): MCPExternalAuthConfigs of the
//   implemented types are stored; the embedded authorization server is refused at spec.type naming why
//   and what to use; an http tokenUrl is refused; an MCPServer naming a config on a stdio server, a
//   tokenExchange without oidcConfigRef and a missing Secret key are each denied by field path;
//   authServerRef is refused naming the reason and oidcConfigRef;
// - ToolHive's examples (test/fixtures/toolhive-examples/v0.44.0/external-auth, unchanged) meet
//   what ToolHive's own CRD answers: their snake_case tokenExchange fields do not exist (tokenUrl Required);
// - the controller (the manager in-process): a bearerToken config becomes the run config's outgoingAuth
//   section (a variable name, no secret), the proxy container's variable from the Secret, and condition
//   ExternalAuthConfigValidated True; the config changed -> the proxy's variable follows; deleted ->
//   the condition turns False (ExternalAuthConfigNotFound) and the run config keeps what it had.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { loadApiAccess } from '../../lib/kube/access.ts';
import { defaultControllerConfig } from '../../controller/config.ts';
import { Manager } from '../../controller/manager.ts';
import { silentLogger } from '../../lib/log.ts';
import { getServer, kubectl as mustKubectl } from './controller-fixtures.ts';
import { controlPlane, eventually, installCrd } from './harness.ts';
import { type LocalWebhook, startLocalWebhook } from './local-webhook.ts';

const NS = `external-auth-${process.pid}`;
const GROUP = 'toolhive.stacklok.dev';
const EXAMPLES = new URL('../fixtures/toolhive-examples/v0.44.0/external-auth/', import.meta.url);

type Json = Record<string, unknown>;
const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, stdin);
const apply = (object: Json) => kubectl(['apply', '-f', '-'], JSON.stringify(object));
const extAuth = (name: string, spec: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPExternalAuthConfig',
  metadata: { name, namespace: NS },
  spec,
});
const server = (name: string, spec: Json): Json => ({
  apiVersion: `${GROUP}/v1beta1`,
  kind: 'MCPServer',
  metadata: { name, namespace: NS },
  spec: { image: 'ghcr.io/example/server:1', transport: 'streamable-http', mcpPort: 8080, ...spec },
});
const BEARER = { type: 'bearerToken', bearerToken: { tokenSecretRef: { name: 'upstream', key: 'token' } } };
const EXCHANGE = {
  type: 'tokenExchange',
  tokenExchange: { tokenUrl: 'https://idp.example.com/token', audience: 'backend' },
};

describe('outgoing authentication on a real API server', function () {
  this.timeout(120_000);
  let webhook: LocalWebhook;
  let manager: Manager | undefined;

  before(async () => {
    await installCrd();
    await kubectl(['create', 'namespace', NS]);
    webhook = await startLocalWebhook('external-auth');
    const secret = await kubectl([
      '-n',
      NS,
      'create',
      'secret',
      'generic',
      'upstream',
      '--from-literal=token=t0k',
    ]);
    expect(secret.code, secret.stderr).to.equal(0);
  });
  after(async () => {
    await manager?.stop();
    await webhook?.remove();
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('stores the implemented types and refuses the others naming why', async () => {
    for (const [name, spec] of [
      ['bearer', BEARER],
      ['exchange', EXCHANGE],
      ['none', { type: 'unauthenticated' }],
    ] as const) {
      const r = await apply(extAuth(name, spec));
      expect(r.code, r.stderr).to.equal(0);
    }
    const embedded = await apply(
      extAuth('embedded', {
        type: 'embeddedAuthServer',
        embeddedAuthServer: {
          issuer: 'https://auth.example.com',
          upstreamProviders: [
            {
              name: 'google',
              type: 'oidc',
              oidcConfig: { issuerUrl: 'https://accounts.google.com', clientId: 'c' },
            },
          ],
        },
      }),
    );
    expect(embedded.code).to.not.equal(0);
    expect(embedded.stderr, embedded.stderr).to.contain(
      'spec.type: Forbidden: the embedded OAuth authorization server is not implemented',
    );
    const http = await apply(
      extAuth('http', {
        type: 'tokenExchange',
        tokenExchange: { tokenUrl: 'http://idp/token', audience: 'a' },
      }),
    );
    expect(http.stderr).to.contain(
      'spec.tokenExchange.tokenUrl: Invalid value: "http://idp/token": must be an https URL',
    );
  });

  it('denies MCPServers by field path: stdio, tokenExchange without authentication, a missing Secret key, authServerRef', async () => {
    const stdio = await apply(server('s1', { transport: 'stdio', externalAuthConfigRef: { name: 'none' } }));
    expect(stdio.stderr).to.contain(
      'spec.externalAuthConfigRef: Forbidden: outgoing authentication applies to MCP servers reached over HTTP',
    );
    const exchange = await apply(server('s2', { externalAuthConfigRef: { name: 'exchange' } }));
    expect(exchange.stderr).to.contain(
      "spec.oidcConfigRef: Required value: MCPExternalAuthConfig exchange exchanges the caller's own token",
    );
    expect(
      (
        await apply(
          extAuth('badkey', {
            type: 'bearerToken',
            bearerToken: { tokenSecretRef: { name: 'upstream', key: 'nope' } },
          }),
        )
      ).code,
    ).to.equal(0);
    const key = await apply(server('s3', { externalAuthConfigRef: { name: 'badkey' } }));
    expect(key.stderr).to.contain(
      'spec.externalAuthConfigRef.name: Invalid value: "badkey": MCPExternalAuthConfig badkey: spec.bearerToken.tokenSecretRef.key: Not found: "nope"',
    );
    const authServer = await apply(
      server('s4', { authServerRef: { kind: 'MCPExternalAuthConfig', name: 'none' } }),
    );
    expect(authServer.stderr).to.contain(
      'spec.authServerRef: Forbidden: the embedded OAuth 2.0 authorization server is not implemented',
    );
    expect(authServer.stderr).to.contain('spec.oidcConfigRef');
  });

  it("meets ToolHive's examples as ToolHive's CRD does: their snake_case tokenExchange fields do not exist", async () => {
    for (const file of ['mcpexternalauthconfig_basic.yaml', 'mcpexternalauthconfig_minimal.yaml']) {
      // Unchanged, namespace default included: refused, so nothing is created there.
      const r = await kubectl(['apply', '-f', '-'], readFileSync(new URL(file, EXAMPLES), 'utf8'));
      expect(r.code, file).to.not.equal(0);
      expect(r.stderr, file).to.match(/token_url|spec\.tokenExchange\.tokenUrl: Required value/);
    }
  });

  it('the controller writes outgoingAuth and the variable from the Secret, condition True', async () => {
    manager = new Manager({
      access: await loadApiAccess(controlPlane().kubeconfig),
      config: { ...defaultControllerConfig(), proxyImage: 'example.invalid/mcp-operator:test' },
      log: silentLogger(),
      namespaces: [NS],
      workers: 2,
    });
    await manager.start();
    const r = await apply(server('fetch', { externalAuthConfigRef: { name: 'bearer' } }));
    expect(r.code, r.stderr).to.equal(0);
    const cm = await eventually('the run config', async () => {
      const got = await kubectl(['-n', NS, 'get', 'configmap', 'fetch-runconfig', '-o', 'json']);
      return got.code === 0 ? (JSON.parse(got.stdout) as { data: Record<string, string> }) : undefined;
    });
    const runConfig = JSON.parse(cm.data['runconfig.json']!) as Json;
    expect(runConfig.outgoingAuth).to.deep.equal({
      type: 'bearerToken',
      tokenEnv: 'TOOLHIVE_BEARER_TOKEN_BEARER',
    });
    expect(cm.data['runconfig.json']).not.to.contain('t0k');
    const deployment = JSON.parse(
      await mustKubectl(['-n', NS, 'get', 'deployment', 'fetch', '-o', 'json']),
    ) as {
      spec: { template: { spec: { containers: { env?: Json[] }[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]!.env).to.deep.include({
      name: 'TOOLHIVE_BEARER_TOKEN_BEARER',
      valueFrom: { secretKeyRef: { name: 'upstream', key: 'token' } },
    });
    const condition = await eventually('ExternalAuthConfigValidated', async () =>
      (await getServer(NS, 'fetch')).status?.conditions?.find(
        (c) => c.type === 'ExternalAuthConfigValidated',
      ),
    );
    expect(condition).to.include({ status: 'True', reason: 'ExternalAuthConfigValid' });
  });

  it('follows a changed MCPExternalAuthConfig; deleted, ExternalAuthConfigValidated False and the run config held', async () => {
    expect(manager, 'the previous test starts the manager').to.not.equal(undefined);
    await mustKubectl(['-n', NS, 'patch', 'secret', 'upstream', '-p', '{"stringData":{"rotated":"t1"}}']);
    const patch = { spec: { bearerToken: { tokenSecretRef: { name: 'upstream', key: 'rotated' } } } };
    await mustKubectl([
      '-n',
      NS,
      'patch',
      'mcpexternalauthconfig',
      'bearer',
      '--type=merge',
      '-p',
      JSON.stringify(patch),
    ]);
    const env = await eventually('the variable from the new key', async () => {
      const d = JSON.parse(await mustKubectl(['-n', NS, 'get', 'deployment', 'fetch', '-o', 'json'])) as {
        spec: { template: { spec: { containers: { env?: Json[] }[] } } };
      };
      const found = d.spec.template.spec.containers[0]!.env?.find(
        (e) => e.name === 'TOOLHIVE_BEARER_TOKEN_BEARER',
      );
      return JSON.stringify(found?.valueFrom).includes('rotated') ? found : undefined;
    });
    expect(env.valueFrom).to.deep.equal({ secretKeyRef: { name: 'upstream', key: 'rotated' } });
    const runConfig = async () =>
      JSON.parse(
        (
          JSON.parse(await mustKubectl(['-n', NS, 'get', 'configmap', 'fetch-runconfig', '-o', 'json'])) as {
            data: Record<string, string>;
          }
        ).data['runconfig.json']!,
      ) as Json;
    const before = await runConfig();

    await mustKubectl(['-n', NS, 'delete', 'mcpexternalauthconfig', 'bearer']);
    const condition = await eventually('ExternalAuthConfigValidated False', async () => {
      const c = (await getServer(NS, 'fetch')).status?.conditions?.find(
        (found) => found.type === 'ExternalAuthConfigValidated',
      );
      return c?.status === 'False' ? c : undefined;
    });
    expect(condition.reason).to.equal('ExternalAuthConfigNotFound');
    expect(condition.message).to.contain('the proxy keeps the configuration it had');
    expect((await runConfig()).outgoingAuth).to.deep.equal(before.outgoingAuth);
  });
});
