// What every server under test does the same way, so the bench can drive them alike: TLS material comes
// in from the bench through the environment (BENCH_TLS_CERT, BENCH_TLS_KEY, both PEM), the bound port goes
// out as one JSON line on stdout, and the process exits when its stdin closes, so a bench that dies,
// even by SIGKILL, leaves no server behind.

export interface ChildTls {
  certPem: string;
  keyPem: string;
}

export function tlsFromEnv(): ChildTls {
  const certPem = process.env.BENCH_TLS_CERT;
  const keyPem = process.env.BENCH_TLS_KEY;
  if (!certPem || !keyPem) throw new Error('BENCH_TLS_CERT and BENCH_TLS_KEY must hold PEM');
  return { certPem, keyPem };
}

export function announcePort(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

export function exitWithParent(cleanup: () => Promise<void> = () => Promise.resolve()): void {
  const stop = (): void => void cleanup().finally(() => process.exit(0));
  process.stdin.on('end', stop).on('error', stop).resume();
  process.once('SIGTERM', stop);
}
