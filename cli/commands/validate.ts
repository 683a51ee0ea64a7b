// `mcp-operator validate`: the admission webhooks' defaulting and validation, run on manifest files, for CI
// pipelines and for trying a manifest before applying it. Same rules, same messages as the webhook.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { defaultMCPServer } from '../../webhook/defaults.ts';
import { gatherFacts, offlineLookup, type ClusterLookup } from '../../webhook/facts.ts';
import { formatFieldError } from '../../webhook/field.ts';
import { defaultPolicy, parsePolicy, POLICY_KEY, type AdmissionPolicy } from '../../webhook/policy.ts';
import { dict, isDict, str } from '../../webhook/rules/shape.ts';
import { validateMCPServer } from '../../webhook/validate.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: mcp-operator validate [--offline] [--kubeconfig PATH] [--policy FILE] -f FILE [-f FILE...]

  -f, --filename FILE   a YAML file of one or more documents; "-" reads stdin
  --offline             do not contact a cluster: Secrets and ConfigMaps are not checked
  --kubeconfig PATH     the cluster to look referenced Secrets and ConfigMaps up in
  --policy FILE         an admission policy (the content of the policy ConfigMap's ${POLICY_KEY})

Exit status: 0 all accepted, 1 something denied or unreadable, 2 usage error.
`;

/** Everything the command touches outside itself, so tests can run it without files or a cluster. */
export interface ValidateIO {
  write(text: string): void;
  writeError(text: string): void;
  readFile(path: string): string;
  createLookup(kubeconfig: string | undefined): Promise<ClusterLookup>;
}

/** The API-server-backed lookup, imported only when needed so `--offline` never loads the Kubernetes client. */
async function clusterLookup(kubeconfig: string | undefined): Promise<ClusterLookup> {
  const { createClusterLookup } = await import('../../webhook/cluster-lookup.ts');
  return createClusterLookup(kubeconfig);
}

const processIO: ValidateIO = {
  write: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
  createLookup: clusterLookup,
};

interface Options {
  files: string[];
  offline: boolean;
  kubeconfig?: string;
  policyFile?: string;
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      filename: { type: 'string', short: 'f', multiple: true },
      offline: { type: 'boolean', default: false },
      kubeconfig: { type: 'string' },
      policy: { type: 'string' },
    },
  });
  return {
    files: values.filename ?? [],
    offline: values.offline,
    kubeconfig: values.kubeconfig,
    policyFile: values.policy,
  };
}

function loadPolicy(file: string | undefined, io: ValidateIO): AdmissionPolicy {
  if (file === undefined) return defaultPolicy();
  const result = parsePolicy({ [POLICY_KEY]: io.readFile(file) });
  if ('errors' in result) throw new UsageError(`${file}: invalid policy:\n  ${result.errors.join('\n  ')}`);
  return result.policy;
}

class UsageError extends Error {}

async function chooseLookup(options: Options, io: ValidateIO): Promise<ClusterLookup> {
  if (!options.offline) return io.createLookup(options.kubeconfig);
  io.writeError('Offline: Secrets and ConfigMaps were not looked up, so their existence is not checked\n');
  return offlineLookup;
}

/** Defaults and validates one MCPServer; prints its verdict; resolves to whether it was accepted. */
async function validateOne(
  label: string,
  doc: unknown,
  lookup: ClusterLookup,
  policy: AdmissionPolicy,
  io: ValidateIO,
) {
  const { object, warnings: migrationWarnings } = defaultMCPServer(doc, policy);
  const metadata = dict(dict(object).metadata);
  const namespace = str(metadata.namespace) ?? 'default';
  const target = { ...dict(object), metadata: { ...metadata, namespace } };
  const facts = await gatherFacts(target, lookup, namespace);
  const { errors, warnings } = validateMCPServer(target, facts, policy);
  const name = `${namespace}/${str(metadata.name) ?? '<no name>'}`;
  io.write(`${label}: MCPServer ${name}: ${errors.length > 0 ? 'denied' : 'accepted'}\n`);
  for (const error of errors) io.write(`* ${formatFieldError(error)}\n`);
  for (const warning of [...migrationWarnings, ...warnings]) io.writeError(`Warning: ${warning}\n`);
  return errors.length === 0;
}

/** Every document of one file; resolves to whether all were accepted. */
async function validateFile(file: string, lookup: ClusterLookup, policy: AdmissionPolicy, io: ValidateIO) {
  const label = file === '-' ? '<stdin>' : file;
  let ok = true;
  for (const [i, doc] of parseAllDocuments(io.readFile(file)).entries()) {
    if (doc.errors.length > 0) {
      io.write(`${label}: document ${i + 1}: invalid YAML: ${doc.errors[0]?.message ?? ''}\n`);
      ok = false;
      continue;
    }
    const object: unknown = doc.toJS();
    if (object === null || object === undefined) continue;
    if (!isDict(object) || object.kind !== 'MCPServer') {
      io.write(`${label}: document ${i + 1}: skipped (not an MCPServer)\n`);
      continue;
    }
    ok = (await validateOne(label, object, lookup, policy, io)) && ok;
  }
  return ok;
}

export async function runValidate(args: string[], io: ValidateIO = processIO): Promise<number> {
  let options: Options;
  let policy: AdmissionPolicy;
  try {
    options = parseOptions(args);
    if (options.files.length === 0) throw new UsageError('at least one -f FILE is required');
    policy = loadPolicy(options.policyFile, io);
  } catch (e) {
    io.writeError(`mcp-operator validate: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let lookup: ClusterLookup;
  try {
    lookup = await chooseLookup(options, io);
  } catch (e) {
    io.writeError(
      `mcp-operator validate: cannot reach the cluster (${(e as Error).message}); try --offline\n`,
    );
    return 1;
  }
  let ok = true;
  for (const file of options.files) {
    try {
      ok = (await validateFile(file, lookup, policy, io)) && ok;
    } catch (e) {
      io.write(`${file}: ${(e as Error).message}\n`);
      ok = false;
    }
  }
  return ok ? 0 : 1;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Run the admission defaults and rules on MCPServer manifests (for CI)',
  run: (args) => runValidate(args),
};
