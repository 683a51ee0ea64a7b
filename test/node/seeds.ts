// The seed guide's four examples as a user applies them, changed only in `image`: a local image whose
// entry point starts an equivalent server (no registry is reachable here), and what each needs first
// (its namespace, the github Secret, the filesystem claim), as the guide says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../controlplane/versions.ts';
import { IMAGES } from '../../realnode/node-images.ts';

export interface Seed {
  file: string;
  namespace: string;
  name: string;
  transport: 'stdio' | 'streamable-http';
  image: string;
}

// In the guide's page order.
export const SEEDS: Seed[] = [
  {
    file: 'mcpserver-osv.yaml',
    namespace: 'my-namespace',
    name: 'osv',
    transport: 'streamable-http',
    image: IMAGES.everything,
  },
  {
    file: 'mcpserver-custom-pod.yaml',
    namespace: 'development',
    name: 'fetch',
    transport: 'streamable-http',
    image: IMAGES.everything,
  },
  {
    file: 'mcpserver-with-secrets.yaml',
    namespace: 'production',
    name: 'github',
    transport: 'stdio',
    image: IMAGES.everything,
  },
  {
    file: 'mcpserver-with-volume.yaml',
    namespace: 'data-processing',
    name: 'filesystem',
    transport: 'stdio',
    image: IMAGES.filesystem,
  },
];

export const GITHUB_TOKEN = `ghp_node_suite_${Date.now().toString(36)}`;

/** The seed as written, with only its image replaced. */
export function seedManifest(seed: Seed): string {
  const text = readFileSync(path.join(repoRoot, 'test/fixtures/seed-examples', seed.file), 'utf8');
  const object = parse(text) as { spec: { image: string } };
  object.spec.image = seed.image;
  return stringify(object);
}

/** What a seed needs before it is applied, as the guide and the seeds' comments say. */
export function prerequisites(seed: Seed): string[][] {
  const steps = [['create', 'namespace', seed.namespace]];
  if (seed.name === 'github')
    steps.push([
      '-n',
      seed.namespace,
      'create',
      'secret',
      'generic',
      'github-token',
      `--from-literal=token=${GITHUB_TOKEN}`,
    ]);
  return steps;
}

export const FILESYSTEM_CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: my-mcp-data-claim, namespace: data-processing}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
