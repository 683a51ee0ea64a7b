// Helpers shared by the chart tests: the chart rendered by the Go-built helm, parsed into objects, and
// typed views of the parts the tests read.
import { parseAllDocuments } from 'yaml';
import { renderChart } from '../../manifests/generate.ts';

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
};

export const objects = (text: string): Obj[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
export const render = async (values: string[] = [], opts: { release?: string; namespace?: string } = {}) =>
  objects(await renderChart(values, opts));
export const find = (objs: Obj[], kind: string, name?: string): Obj => {
  const found = objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} rendered`);
  return found;
};
/** The message a rendering failed with (helm's `fail`), or an assertion failure if it succeeded. */
export async function failureOf(rendering: Promise<unknown>): Promise<string> {
  return rendering.then(
    () => {
      throw new Error('the chart rendered, but should have refused');
    },
    (err: Error) => err.message,
  );
}
export const CLUSTER_SCOPED = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'CustomResourceDefinition',
]);
export const NAMESPACE_SCOPE = [
  'operator.rbac.scope=namespace',
  'operator.rbac.allowedNamespaces={team-a-apps,team-a-tools}',
];

/** The rendered Deployment's spec, typed as far as these tests read it. */
export interface ContainerView {
  image: string;
  args: string[];
  env: { name: string; value?: string }[];
  resources: { limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  readinessProbe: { httpGet: Record<string, unknown> };
  lifecycle?: unknown;
}
export interface DeploymentView {
  replicas: number;
  template: {
    spec: {
      containers: ContainerView[];
      securityContext: Record<string, unknown>;
      topologySpreadConstraints: { topologyKey: string }[];
      nodeSelector?: Record<string, string>;
      tolerations?: unknown[];
      volumes?: unknown[];
    };
  };
}
export const deploymentSpec = (objs: Obj[]) =>
  (find(objs, 'Deployment') as unknown as { spec: DeploymentView }).spec;
export const podSpec = (objs: Obj[]) => deploymentSpec(objs).template.spec;
export const configMapData = (objs: Obj[], name?: string) =>
  (find(objs, 'ConfigMap', name) as unknown as { data: Record<string, string> }).data;

/** The parts of a webhook entry that the chart and webhook/configuration.ts must agree on. */
export interface WebhookView {
  failurePolicy: string;
  timeoutSeconds: number;
  namespaceSelector: { matchExpressions: unknown[] };
}
export function webhookEntry(config: Obj): WebhookView {
  const [entry] = config.webhooks as WebhookView[];
  return entry!;
}
