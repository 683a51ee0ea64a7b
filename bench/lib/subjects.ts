// The servers under test: starting them (compiled, each in its own process), stopping them, and checking
// that each answers the bench's review correctly before it is measured.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlane } from '../../controlplane/cluster.ts';
import { httpRequest } from '../../controlplane/wait.ts';
import type { Logger } from '../../lib/log.ts';
import type { TestCertificates } from '../../test/support/certificates.ts';
import { MUTATE_PATH, VALIDATE_PATH } from '../../webhook/paths.ts';
import { imageEnv, imageNodeFlags } from '../../lib/dockerfile.ts';
import { compileServers, compiledPath } from './compile.ts';
import { buildPeprModule, startPeprControlPlane, startPeprServer } from './pepr.ts';
import { REVIEW_KINDS, type ReviewKind } from './report.ts';
import type { ReviewTemplate } from './reviews.ts';
import { announcedPort, spawnServer, type ServerProcess } from './servers.ts';
import type { Settings } from './settings.ts';

export const progress = (line: string): void => void process.stderr.write(`bench/webhook: ${line}\n`);

/** A server under test: its process and where its two webhooks are. */
export interface Subject {
  name: string;
  process: ServerProcess;
  origin: string;
  paths: Record<ReviewKind, string>;
}

const SERVERS_DIR = path.join(import.meta.dirname, '..', 'servers');

const serverScript = (name: string): string => path.join(SERVERS_DIR, `${name}.ts`);

async function startNodeServer(
  name: string,
  paths: Record<ReviewKind, string>,
  certs: TestCertificates,
  workDir: string,
  script = compiledPath(serverScript(name)),
): Promise<Subject> {
  const logFile = path.join(workDir, `${name}.log`);
  // Ours (and a baseline of it) run as the image runs them: its ENV and its ENTRYPOINT's Node flags.
  // The bare server is the peer, plain Node.
  const asImage = name !== 'bare';
  const { child, process: server } = spawnServer({
    script,
    logFile,
    stdout: 'port',
    nodeFlags: asImage ? imageNodeFlags() : [],
    env: {
      ...(asImage ? imageEnv() : {}),
      BENCH_TLS_CERT: certs.serving.certPem,
      BENCH_TLS_KEY: certs.serving.keyPem,
    },
  });
  try {
    const port = await announcedPort(child, logFile);
    return { name, process: server, origin: `https://127.0.0.1:${port}`, paths };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

export interface Started {
  subjects: Subject[];
  peprStatus: string;
}

export type Stops = (() => Promise<void>)[];

async function startPepr(settings: Settings, certs: TestCertificates, workDir: string, log: Logger) {
  const stops: (() => Promise<void>)[] = [];
  let plane: ControlPlane | undefined;
  try {
    const [bundle, started] = await Promise.all([buildPeprModule(log), startPeprControlPlane(log)]);
    plane = started;
    stops.push(() => started.stop());
    const tls = { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, caPem: certs.ca.certPem };
    const opts = {
      bundle,
      hostScript: compiledPath(serverScript('pepr')),
      kubeconfig: started.kubeconfig,
      tls,
      workDir,
      logLevel: settings.peprLogLevel,
    };
    const pepr = await startPeprServer(opts);
    stops.push(() => pepr.stop());
    const paths = { validate: pepr.validatePath, mutate: pepr.mutatePath };
    return { subject: { name: 'pepr', process: pepr.process, origin: pepr.origin, paths }, stops };
  } catch (err) {
    for (const stop of stops.reverse()) await stop();
    if (plane === undefined) log.debug('Pepr control plane did not start');
    return { reason: (err as Error).message, stops: [] };
  }
}

/** Starts every server, pushing how to stop each onto `stops` as soon as it runs. */
export async function startAll(
  settings: Settings,
  certs: TestCertificates,
  workDir: string,
  stops: Stops,
  log: Logger,
) {
  const started: Started = { subjects: [], peprStatus: 'measured' };
  const ours = { validate: VALIDATE_PATH, mutate: MUTATE_PATH };
  progress('compiling the servers to JavaScript');
  await compileServers(['bare', 'ours', 'pepr'].map(serverScript));
  for (const [name, paths] of [
    ['bare', { validate: '/validate', mutate: '/mutate' }],
    ['ours', ours],
  ] as const) {
    const subject = await startNodeServer(name, paths, certs, workDir);
    started.subjects.push(subject);
    stops.push(() => subject.process.stop());
  }
  if (settings.baseline) {
    progress(`compiling the baseline's server (${settings.baseline})`);
    const entry = path.join(settings.baseline, 'bench', 'servers', 'ours.ts');
    await compileServers([entry], settings.baseline);
    const script = compiledPath(entry, settings.baseline);
    const subject = await startNodeServer('baseline', ours, certs, workDir, script);
    started.subjects.push(subject);
    stops.push(() => subject.process.stop());
  }
  if (!settings.pepr) {
    started.peprStatus = 'not measured: skipped (BENCH_PEPR=0)';
    return started;
  }
  progress('starting Pepr (bundle, local control plane, module)');
  const pepr = await startPepr(settings, certs, workDir, log);
  if ('reason' in pepr) started.peprStatus = `not measured: ${pepr.reason}`;
  else {
    started.subjects.push(pepr.subject);
    stops.push(...pepr.stops);
  }
  return started;
}

/** One review to each webhook, parsed in full: the bench only measures servers that answer correctly. */
export async function checkAnswers(subjects: Subject[], template: ReviewTemplate, certs: TestCertificates) {
  const notes: string[] = [];
  for (const subject of subjects) {
    for (const kind of REVIEW_KINDS) {
      const { uid, body } = template.body(0);
      const url = `${subject.origin}${subject.paths[kind]}`;
      const answer = await httpRequest('POST', url, { ca: certs.ca.certPem }, JSON.parse(body), 10_000);
      const response = (JSON.parse(answer.body) as { response?: Record<string, unknown> }).response ?? {};
      if (answer.status !== 200 || response.uid !== uid || response.allowed !== true) {
        throw new Error(`${subject.name} ${kind} did not allow the seed: ${answer.status} ${answer.body}`);
      }
      if (typeof response.patch === 'string') {
        const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as unknown[];
        notes.push(`${subject.name} ${kind}: ${ops.length} patch operations`);
      }
    }
  }
  return notes;
}

/** RSS of ours run from source (type stripping), idle after start: what `node webhook.ts` costs today. */
export async function sourceRssMb(certs: TestCertificates, workDir: string): Promise<number> {
  const paths = { validate: VALIDATE_PATH, mutate: MUTATE_PATH };
  const subject = await startNodeServer('ours', paths, certs, workDir, serverScript('ours'));
  try {
    await sleep(2000);
    return subject.process.rssBytes() / 1024 / 1024;
  } finally {
    await subject.process.stop();
  }
}
