// The child side of the fuzz tests' IPC: answers `{type: 'memory'}` with process.memoryUsage() after a
// full garbage collection (the child runs with --expose-gc), and exits when the channel closes, so a
// parent that dies, even by SIGKILL, leaves no child behind.

export interface MemoryReport {
  type: 'memory';
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export function serveMemoryReports(cleanup: () => Promise<void>): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'memory') return;
    collect?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const report: MemoryReport = { type: 'memory', rss, heapUsed, external, arrayBuffers };
    process.send?.(report);
  });
  process.once('disconnect', () => void cleanup().finally(() => process.exit(0)));
}
