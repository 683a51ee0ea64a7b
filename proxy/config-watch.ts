// Watches the run-config file a proxy was started from and applies a changed `tools` section to the
// running proxy. In a pod the file is a mounted ConfigMap, which kubelet updates in place (a new
// timestamped directory, then the `..data` symlink swapped; about a minute after the edit), so the
// directory is watched, not the file, and the file re-read whenever anything in it moves. A change
// anywhere else in the file needs a restart: it is logged at warn, once per content, and not applied
// (the controller rolls the Deployment for those itself: the pod template carries a checksum of the
// run config without its `tools` section). A file that cannot be read or parsed, or that the proxy
// would refuse at start, is logged and ignored: the proxy keeps what it has.
// I/O only; what a section does is in tools/.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../lib/log.ts';
import { checkRunConfigFile, type RunConfigFile } from './config.ts';
import type { RunConfigTools } from './tools/plan.ts';

/** Several events arrive for one swap; the file is read once they stop. */
const SETTLE_MS = 200;
/** A re-read this often besides the events, for file systems that send none. */
const POLL_MS = 30_000;

export interface ConfigWatchOptions {
  log: Logger;
  apply(tools: RunConfigTools | undefined): void;
  settleMs?: number;
  pollMs?: number;
}

export interface ConfigWatch {
  /** Resolves once the file has been read again and any change applied (tests wait on it). */
  check(): Promise<void>;
  close(): void;
}

/** The file's content with `tools` left out: what needs a restart to change. */
export const restartPart = (file: RunConfigFile): string => JSON.stringify({ ...file, tools: undefined });
const toolsPart = (file: RunConfigFile): string => JSON.stringify(file.tools ?? null);

export function watchRunConfig(
  path: string,
  started: RunConfigFile,
  options: ConfigWatchOptions,
): ConfigWatch {
  const { log } = options;
  let tools = toolsPart(started);
  const restart = restartPart(started);
  let lastText: string | undefined;
  let warnedText: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const read = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      // Mid-swap the link may point nowhere for an instant; the next event or poll reads it again.
      log.debug({ path, err }, 'Run config could not be read; keeping the current one');
      return;
    }
    if (text === lastText) return;
    lastText = text;
    const file = parse(text);
    if ('problem' in file) {
      log.warn(
        { path, problem: file.problem },
        'Run config changed but is not valid; keeping the current one',
      );
      return;
    }
    if (toolsPart(file) !== tools) {
      tools = toolsPart(file);
      options.apply(file.tools);
    }
    if (restartPart(file) !== restart && warnedText !== text) {
      warnedText = text;
      log.warn(
        { path },
        'Run config changed beyond its tools section; the proxy applies that only when restarted',
      );
    }
  };
  const check = (): Promise<void> => (running = running.then(read));
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check(), options.settleMs ?? SETTLE_MS);
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, schedule);
    watcher.on('error', (err) =>
      log.warn({ path, err }, 'Watching the run config failed; polling it instead'),
    );
  } catch (err) {
    log.warn({ path, err }, 'Cannot watch the run config directory; polling it instead');
  }
  const poll = setInterval(() => void check(), options.pollMs ?? POLL_MS);
  poll.unref();
  void check();
  return {
    check,
    close() {
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
    },
  };
}

function parse(text: string): RunConfigFile | { problem: string } {
  try {
    return checkRunConfigFile(JSON.parse(text));
  } catch (err) {
    return { problem: (err as Error).message };
  }
}
