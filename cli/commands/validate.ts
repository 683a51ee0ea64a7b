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
import { COMPANION_VALIDATORS, type CompanionKind } from '../../webhook/rules/companions/index.ts';
import {
  collectCompanions,
  isCompanion,
  namespaceOf,
  offlineReferenceErrors,
  withFileCompanions,
  type FileCompanions,
} from '../validate-references.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: mcp-operator validate [--offline] [--kubeconfig PATH] [--policy FILE] -f FILE [-f FILE...]

  -f, --filename FILE   a YAML file of one or more documents; "-" reads stdin
  --offline             do not contact a cluster: Secrets and ConfigMaps are not checked, and the
                        companions an MCPServer names must be among the files
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
  io.writeError(
    'Offline: Secrets and ConfigMaps were not looked up, so their existence is not checked; companions are looked for in the files only\n',
  );
  return offlineLookup;
}

/** One document of the files, with where it came from. */
interface Doc {
  label: string;
  index: number;
  object: unknown;
}

/** Defaults and validates one MCPServer; prints its verdict; resolves to whether it was accepted. */
async function validateOne(doc: Doc, lookup: ClusterLookup, ctx: Context, io: ValidateIO) {
  const { object, warnings: migrationWarnings } = defaultMCPServer(doc.object, ctx.policy);
  const metadata = dict(dict(object).metadata);
  const namespace = namespaceOf(object);
  const target = { ...dict(object), metadata: { ...metadata, namespace } };
  const gathered = await gatherFacts(target, lookup, namespace);
  const facts = withFileCompanions(target, namespace, gathered, ctx.companions);
  const verdict = validateMCPServer(target, facts, ctx.policy);
  const errors = [...verdict.errors, ...offlineReferenceErrors(target, facts)];
  const name = `${namespace}/${str(metadata.name) ?? '<no name>'}`;
  io.write(`${doc.label}: MCPServer ${name}: ${errors.length > 0 ? 'denied' : 'accepted'}\n`);
  for (const error of errors) io.write(`* ${formatFieldError(error)}\n`);
  for (const warning of [...migrationWarnings, ...verdict.warnings]) io.writeError(`Warning: ${warning}\n`);
  return errors.length === 0;
}

/** A companion (MCPToolConfig, ...) through its own admission rules, as its webhook would judge it. */
function validateCompanion(doc: Doc, io: ValidateIO): boolean {
  const kind = str(dict(doc.object).kind) as CompanionKind;
  const { errors, warnings } = COMPANION_VALIDATORS[kind](doc.object);
  const name = `${namespaceOf(doc.object)}/${str(dict(dict(doc.object).metadata).name) ?? '<no name>'}`;
  io.write(`${doc.label}: ${kind} ${name}: ${errors.length > 0 ? 'denied' : 'accepted'}\n`);
  for (const error of errors) io.write(`* ${formatFieldError(error)}\n`);
  for (const warning of warnings) io.writeError(`Warning: ${warning}\n`);
  return errors.length === 0;
}

/** Every document of one file, or why it could not be read (printed); undefined for an invalid one. */
function readDocs(file: string, io: ValidateIO): { docs: Doc[]; ok: boolean } {
  const label = file === '-' ? '<stdin>' : file;
  const docs: Doc[] = [];
  let ok = true;
  for (const [i, doc] of parseAllDocuments(io.readFile(file)).entries()) {
    if (doc.errors.length > 0) {
      io.write(`${label}: document ${i + 1}: invalid YAML: ${doc.errors[0]?.message ?? ''}\n`);
      ok = false;
      continue;
    }
    const object: unknown = doc.toJS();
    if (object !== null && object !== undefined) docs.push({ label, index: i, object });
  }
  return { docs, ok };
}

interface Context {
  policy: AdmissionPolicy;
  /** The companions among all the files' documents (validate-references.ts). */
  companions: FileCompanions;
}

/** Validates the documents in order; resolves to whether all were accepted. */
async function validateDocs(docs: Doc[], lookup: ClusterLookup, ctx: Context, io: ValidateIO) {
  let ok = true;
  for (const doc of docs) {
    if (isDict(doc.object) && doc.object.kind === 'MCPServer')
      ok = (await validateOne(doc, lookup, ctx, io)) && ok;
    else if (isCompanion(doc.object)) ok = validateCompanion(doc, io) && ok;
    else io.write(`${doc.label}: document ${doc.index + 1}: skipped (not an MCPServer)\n`);
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
  // Every file is read before anything is judged: an MCPServer's companions may come later, or in
  // another file.
  let ok = true;
  const docs: Doc[] = [];
  for (const file of options.files) {
    try {
      const read = readDocs(file, io);
      docs.push(...read.docs);
      ok = read.ok && ok;
    } catch (e) {
      io.write(`${file}: ${(e as Error).message}\n`);
      ok = false;
    }
  }
  const ctx = { policy, companions: collectCompanions(docs.map((d) => d.object)) };
  try {
    ok = (await validateDocs(docs, lookup, ctx, io)) && ok;
  } catch (e) {
    io.write(`${(e as Error).message}\n`);
    ok = false;
  }
  return ok ? 0 : 1;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Run the admission defaults and rules on MCPServer manifests (for CI)',
  run: (args) => runValidate(args),
};
