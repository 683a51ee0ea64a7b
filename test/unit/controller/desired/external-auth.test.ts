import { expect } from 'chai';
import { desiredChildren } from '../../../../controller/desired/children.ts';
import { RUNCONFIG_KEY } from '../../../../controller/desired/configmap.ts';
import { externalAuthPlan } from '../../../../controller/desired/external-auth.ts';
import type { ChildObject, Dict } from '../../../../controller/desired/types.ts';
import { checkRunConfigFile } from '../../../../proxy/config.ts';
import { config, facts, mcpServer, withSpec } from '../builders.ts';

const withConfig = (name: string, spec: Dict) => ({
  ...facts(),
  companions: new Map([[`MCPExternalAuthConfig/${name}`, { metadata: { name }, spec }]]),
});
const http = (extra: object = {}) =>
  mcpServer(
    'fetch',
    withSpec({
      transport: 'streamable-http',
      mcpPort: 8080,
      externalAuthConfigRef: { name: 'up-auth' },
      ...extra,
    }),
  );
const kind = (objects: ChildObject[], k: string) => objects.find((o) => o.kind === k) as Dict;
const TOKEN_EXCHANGE = {
  type: 'tokenExchange',
  tokenExchange: {
    tokenUrl: 'https://idp.example.com:8443/token',
    clientId: 'proxy',
    clientSecretRef: { name: 'idp', key: 'secret' },
    audience: 'backend',
    scopes: ['read'],
    subjectTokenType: 'jwt',
    externalTokenHeaderName: 'X-Upstream-Token',
  },
};

describe('externalAuthPlan', () => {
  it('headerInjection: the section names a variable the proxy container gets from the Secret', () => {
    const spec = {
      type: 'headerInjection',
      headerInjection: { headerName: 'X-API-Key', valueSecretRef: { name: 'k', key: 'v' } },
    };
    const plan = externalAuthPlan(http(), withConfig('up-auth', spec));
    expect(plan.section).to.deep.equal({
      type: 'headerInjection',
      headerName: 'X-API-Key',
      valueEnv: 'TOOLHIVE_HEADER_INJECTION_VALUE_UP_AUTH',
    });
    expect(plan.env).to.deep.equal([
      {
        name: 'TOOLHIVE_HEADER_INJECTION_VALUE_UP_AUTH',
        valueFrom: { secretKeyRef: { name: 'k', key: 'v' } },
      },
    ]);
    expect(plan.finding?.reason).to.equal('ExternalAuthConfigValid');
  });

  it('tokenExchange: URN subject type, custom header, the client secret from a variable, egress to the endpoint port', () => {
    const plan = externalAuthPlan(
      http({ oidcConfigRef: { name: 'idp', audience: 'a' } }),
      withConfig('up-auth', TOKEN_EXCHANGE),
    );
    expect(plan.section).to.deep.equal({
      type: 'tokenExchange',
      tokenUrl: 'https://idp.example.com:8443/token',
      audience: 'backend',
      clientId: 'proxy',
      clientSecretEnv: 'TOOLHIVE_TOKEN_EXCHANGE_CLIENT_SECRET_UP_AUTH',
      scopes: ['read'],
      subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      headerName: 'X-Upstream-Token',
    });
    expect(plan.egressPorts).to.deep.equal([8443]);
    expect(plan.hold).to.equal(false);
  });

  const holds: Record<string, { server: ReturnType<typeof http>; spec?: Dict; reason: string }> = {
    'a missing MCPExternalAuthConfig holds the proxy': {
      server: http(),
      reason: 'ExternalAuthConfigNotFound',
    },
    'tokenExchange without incoming authentication': {
      server: http(),
      spec: TOKEN_EXCHANGE,
      reason: 'InvalidConfig',
    },
    'a type this operator refuses': {
      server: http(),
      spec: { type: 'awsSts', awsSts: {} },
      reason: 'InvalidConfig',
    },
    'a stdio server': {
      server: http({ transport: 'stdio' }),
      spec: { type: 'unauthenticated' },
      reason: 'InvalidConfig',
    },
  };
  for (const [name, c] of Object.entries(holds))
    it(`${name}: False ${c.reason}, held`, () => {
      const f = c.spec
        ? withConfig('up-auth', c.spec)
        : { ...facts(), companions: new Map([['MCPExternalAuthConfig/up-auth', undefined]]) };
      const plan = externalAuthPlan(c.server, f);
      expect(plan.finding?.status).to.equal('False');
      expect(plan.finding?.reason).to.equal(c.reason);
      expect(plan.hold).to.equal(true);
      expect(plan.section).to.equal(undefined);
    });
});

describe('desiredChildren with spec.externalAuthConfigRef', () => {
  it('writes outgoingAuth into the run config, never the Secret, and the variable into the proxy container', () => {
    const spec = { type: 'bearerToken', bearerToken: { tokenSecretRef: { name: 'tok', key: 'token' } } };
    const state = desiredChildren(http(), withConfig('up-auth', spec), config());
    const data = (kind(state.objects, 'ConfigMap').data as Record<string, string>)[RUNCONFIG_KEY]!;
    expect((JSON.parse(data) as { outgoingAuth?: unknown }).outgoingAuth).to.deep.equal({
      type: 'bearerToken',
      tokenEnv: 'TOOLHIVE_BEARER_TOKEN_UP_AUTH',
    });
    const deployment = kind(state.objects, 'Deployment');
    const container = ((deployment.spec as Dict).template as Dict).spec as Dict;
    const env = ((container.containers as Dict[])[0]!.env ?? []) as Dict[];
    expect(env).to.deep.include({
      name: 'TOOLHIVE_BEARER_TOKEN_UP_AUTH',
      valueFrom: { secretKeyRef: { name: 'tok', key: 'token' } },
    });
    // The proxy reads what the controller writes (the two share no types).
    expect(checkRunConfigFile(JSON.parse(data))).not.to.have.property('problem');
    expect(state.findings.externalAuth?.status).to.equal('True');
    expect(state.held).to.deep.equal([]);
  });
});
