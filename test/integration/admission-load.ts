// A steady stream of admission requests through a real API server, for the fault tests: dry-run creates
// of MCPServers (dryRun=All: the webhooks run, nothing is stored), alternating one the webhooks must
// default and admit with one only the validating webhook can deny. Each answer is classified, so a test
// can say "zero failed admissions" and mean it:
// - admitted: 201 with the mutating webhook's defaults in the object (the API server would admit it
//   without them when the mutating webhook fails: its failurePolicy is Ignore);
// - denied: refused with the validating webhook's message (a Secret that does not exist: neither the CRD
//   schema nor anything else in the API server can know that);
// - failed: anything else, for example "failed calling webhook" when the webhook could not be reached.
import { httpRequest, type TlsClient } from '../../controlplane/wait.ts';

export type AdmissionKind = 'admitted' | 'denied' | 'failed';

export interface AdmissionOutcome {
  /** Date.now() when the request was sent and when its answer came. */
  sentAt: number;
  answeredAt: number;
  kind: AdmissionKind;
  /** What was wrong, for failures: the status code and the API server's message. */
  detail: string;
}

export interface AdmissionLoadOptions {
  server: string;
  tls: Required<TlsClient>;
  namespace: string;
  perSecond: number;
}

export interface AdmissionLoad {
  /** The outcomes so far (answered requests only). */
  outcomes(): readonly AdmissionOutcome[];
  /** Stops sending, waits for the requests in flight, and returns every outcome. */
  stop(): Promise<AdmissionOutcome[]>;
}

const GROUP_PATH = '/apis/toolhive.stacklok.dev/v1alpha1';
/** The API server waits up to 5 s per webhook (their timeoutSeconds), twice, plus its own work. */
const REQUEST_TIMEOUT_MS = 15_000;

const admittable = (namespace: string) => ({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name: 'load-admitted', namespace },
  spec: { image: 'ghcr.io/example/load:1' }, // no transport: the mutating webhook sets stdio
});

const deniable = (namespace: string) => ({
  apiVersion: 'toolhive.stacklok.dev/v1alpha1',
  kind: 'MCPServer',
  metadata: { name: 'load-denied', namespace },
  spec: {
    image: 'ghcr.io/example/load:1',
    secrets: [{ name: 'no-such-secret', key: 'token', targetEnvName: 'TOKEN' }],
  },
});
const DENIAL = 'spec.secrets[0].name: Not found';

function classify(
  expectAdmit: boolean,
  status: number,
  body: string,
): { kind: AdmissionKind; detail: string } {
  let parsed: { message?: string; spec?: { transport?: string } } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // not JSON: reported as it is below
  }
  const detail = `${status}: ${parsed.message ?? body.slice(0, 300)}`;
  if (expectAdmit) {
    if (status === 201 && parsed.spec?.transport === 'stdio') return { kind: 'admitted', detail: '' };
    if (status === 201)
      return { kind: 'failed', detail: 'admitted without defaults (mutating webhook skipped)' };
    // With a policy default profile (the chart's), the validating webhook refuses what the skipped
    // mutating webhook did not default, rather than admit it without the profile.
    if (status === 422 && parsed.message?.includes('the mutating webhook did not run'))
      return { kind: 'failed', detail: 'refused without defaults (mutating webhook skipped)' };
    return { kind: 'failed', detail };
  }
  if (status === 422 && parsed.message?.includes(DENIAL)) return { kind: 'denied', detail: '' };
  return { kind: 'failed', detail };
}

/** Starts sending perSecond requests a second, each on its own connection, not waiting for answers. */
export function startAdmissionLoad(o: AdmissionLoadOptions): AdmissionLoad {
  const url = `${o.server}${GROUP_PATH}/namespaces/${o.namespace}/mcpservers?dryRun=All`;
  const outcomes: AdmissionOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;

  const sendOne = (): void => {
    const expectAdmit = sent++ % 2 === 0;
    const sentAt = Date.now();
    const done = httpRequest(
      'POST',
      url,
      o.tls,
      expectAdmit ? admittable(o.namespace) : deniable(o.namespace),
      REQUEST_TIMEOUT_MS,
    ).then(
      ({ status, body }) => ({ ...classify(expectAdmit, status, body), sentAt, answeredAt: Date.now() }),
      (err: Error) => ({ kind: 'failed' as const, detail: err.message, sentAt, answeredAt: Date.now() }),
    );
    const tracked = done.then((outcome) => {
      outcomes.push(outcome);
      inFlight.delete(tracked);
    });
    inFlight.add(tracked);
  };
  const timer = setInterval(sendOne, 1000 / o.perSecond);

  return {
    outcomes: () => outcomes,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return [...outcomes].sort((a, b) => a.sentAt - b.sentAt);
    },
  };
}

/** Outcomes counted by kind, and the distinct failure details with how often each came. */
export function summarize(outcomes: readonly AdmissionOutcome[]): {
  counts: Record<AdmissionKind, number>;
  failures: Map<string, number>;
} {
  const counts: Record<AdmissionKind, number> = { admitted: 0, denied: 0, failed: 0 };
  const failures = new Map<string, number>();
  for (const o of outcomes) {
    counts[o.kind]++;
    if (o.kind === 'failed') failures.set(o.detail, (failures.get(o.detail) ?? 0) + 1);
  }
  return { counts, failures };
}

/** Answer times in milliseconds: median, 99th percentile and slowest. */
export function latencies(outcomes: readonly AdmissionOutcome[]): { p50: number; p99: number; max: number } {
  const sorted = outcomes.map((o) => o.answeredAt - o.sentAt).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}
