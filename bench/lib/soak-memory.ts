// The soak's memory figures per process, split so that growth can be attributed. Pure parsers (unit
// tested) and the two readers that feed them:
// - /proc/<pid>/status: VmRSS = RssAnon (heap, malloc, stacks: what grows) + RssFile (the mapped node
//   binary and shared libraries: flat once loaded) + RssShmem.
// - the process's own /metrics (prom-client's default metrics): the V8 heap committed
//   (nodejs_heap_size_total_bytes) and used, per space (new_space is the young generation, whose
//   semi-spaces V8 grows under allocation pressure and rarely shrinks), and external memory
//   (ArrayBuffers and other off-heap buffers V8 is told about).
// What the V8 heap and external memory do not explain of RssAnon is native memory: malloc (TLS,
// zlib, the HTTP parser, glibc arenas kept after a burst), thread stacks, code.
import { readFileSync } from 'node:fs';
import { httpGet } from '../../controlplane/wait.ts';

const MiB = 2 ** 20;

export interface ProcessMemory {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
}

export interface HeapFigures {
  /** nodejs_heap_size_total_bytes: the heap V8 has committed. */
  totalMiB: number;
  /** nodejs_heap_size_used_bytes */
  usedMiB: number;
  /** nodejs_external_memory_bytes */
  externalMiB: number;
  /** nodejs_heap_space_size_total_bytes and _used_bytes by space (new, old, code, large_object...). */
  spaces: Record<string, { totalMiB: number; usedMiB: number }>;
}

/** VmRSS, RssAnon and RssFile of a /proc/<pid>/status text, in MiB (0 for a missing line). */
export function parseProcStatus(text: string): ProcessMemory {
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, anonMiB: kib('RssAnon') / 1024, fileMiB: kib('RssFile') / 1024 };
}

export function processMemory(pid: number): ProcessMemory {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** User plus system CPU seconds of a /proc/<pid>/stat text (clock ticks of 1/100 s, as on Linux). */
export function parseProcStatCpuSeconds(text: string): number {
  // The command (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function cpuSeconds(pid: number): number {
  return parseProcStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/;

/** The heap figures of a process's Prometheus text; undefined without nodejs_heap_size_used_bytes. */
export function parseHeapMetrics(text: string): HeapFigures | undefined {
  const heap: HeapFigures = { totalMiB: NaN, usedMiB: NaN, externalMiB: NaN, spaces: {} };
  let seen = false;
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const value = Number(raw) / MiB;
    if (name === 'nodejs_heap_size_used_bytes') {
      heap.usedMiB = value;
      seen = true;
    } else if (name === 'nodejs_heap_size_total_bytes') heap.totalMiB = value;
    else if (name === 'nodejs_external_memory_bytes') heap.externalMiB = value;
    else if (name === 'nodejs_heap_space_size_total_bytes' || name === 'nodejs_heap_space_size_used_bytes') {
      const space = /space="([^"]*)"/.exec(labels)?.[1];
      if (!space) continue;
      const entry = (heap.spaces[space] ??= { totalMiB: 0, usedMiB: 0 });
      if (name.endsWith('total_bytes')) entry.totalMiB = value;
      else entry.usedMiB = value;
    }
  }
  return seen ? heap : undefined;
}

export async function heapFigures(metricsUrl: string): Promise<HeapFigures | undefined> {
  return parseHeapMetrics((await httpGet(metricsUrl, undefined, 10_000)).body);
}

/**
 * Resident anonymous memory that neither the V8 heap (as committed) nor external memory accounts for:
 * malloc and other native memory. An estimate (committed heap pages are not all resident), but its
 * trend is what tells a native leak or kept malloc arenas from a growing heap.
 */
export function nativeMiB(memory: ProcessMemory, heap: HeapFigures | undefined): number | undefined {
  if (!heap || !Number.isFinite(heap.totalMiB)) return undefined;
  return memory.anonMiB - heap.totalMiB - (Number.isFinite(heap.externalMiB) ? heap.externalMiB : 0);
}
