// The process's own metrics in /metrics, read when scraped, under prom-client's default names so the
// usual dashboards and alerts work: CPU, resident memory, heap (in all and per V8 space: the soak reads
// the young generation's, bench/lib/soak-memory.ts), open file descriptors, event loop lag (the delay of
// a setImmediate at scrape time, as prom-client measured it before perf_hooks: no timer runs between
// scrapes), start time and Node version.
import { readdir } from 'node:fs/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { Counter, Gauge, type Registry } from './prometheus.ts';

export function registerProcessMetrics(registry: Registry): void {
  const counter = (name: string, help: string) => registry.register(new Counter(name, help));
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    registry.register(new Gauge(name, help, labelNames));
  const spaceGauge = (name: string, what: string) =>
    gauge(name, `Process heap space size ${what} from Node.js in bytes.`, ['space']);

  const user = counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.');
  const system = counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.');
  const cpu = counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.');
  const started = gauge(
    'process_start_time_seconds',
    'Start time of the process since unix epoch in seconds.',
  );
  const resident = gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
  const fds = gauge('process_open_fds', 'Number of open file descriptors.');
  const heapTotal = gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.');
  const heapUsed = gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.');
  const external = gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.');
  const spaceTotal = spaceGauge('nodejs_heap_space_size_total_bytes', 'total');
  const spaceUsed = spaceGauge('nodejs_heap_space_size_used_bytes', 'used');
  const spaceAvailable = spaceGauge('nodejs_heap_space_size_available_bytes', 'available');
  const lag = gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.');
  const version = gauge('nodejs_version_info', 'Node.js version info.', [
    'version',
    'major',
    'minor',
    'patch',
  ]);
  const [major, minor, patch] = process.versions.node.split('.');
  version.set([process.version, major!, minor!, patch!], 1);
  started.set([], Math.round(Date.now() / 1000 - process.uptime()));

  registry.beforeRender(async () => {
    const usage = process.cpuUsage();
    user.set([], usage.user / 1e6);
    system.set([], usage.system / 1e6);
    cpu.set([], (usage.user + usage.system) / 1e6);
    const memory = process.memoryUsage();
    resident.set([], memory.rss);
    heapTotal.set([], memory.heapTotal);
    heapUsed.set([], memory.heapUsed);
    external.set([], memory.external);
    for (const space of getHeapSpaceStatistics()) {
      const label = [spaceLabel(space.space_name)];
      spaceTotal.set(label, space.space_size);
      spaceUsed.set(label, space.space_used_size);
      spaceAvailable.set(label, space.space_available_size);
    }
    lag.set([], await eventLoopLagSeconds());
    const open = await readdir('/proc/self/fd').catch(() => undefined);
    if (open) fds.set([], open.length);
  });
}

function eventLoopLagSeconds(): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => setImmediate(() => resolve(Number(process.hrtime.bigint() - start) / 1e9)));
}

/** prom-client's `space` label: V8's space name without `_space` (new_space is "new"). */
export function spaceLabel(spaceName: string): string {
  return spaceName.endsWith('_space') ? spaceName.slice(0, -'_space'.length) : spaceName;
}
