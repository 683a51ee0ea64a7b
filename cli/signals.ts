// How a long-running command waits to be stopped: SIGTERM (Kubernetes, `kill`) or SIGINT (Ctrl-C).

/**
 * Resolves with the first SIGTERM or SIGINT, or with undefined once `stopWaiting` aborts (the command
 * ended for another reason). Keeps the event loop alive meanwhile: a command whose own work is unref'd
 * (the local control plane's processes) would otherwise exit before any signal came.
 */
export function untilSignal(stopWaiting?: AbortSignal): Promise<NodeJS.Signals | undefined> {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return new Promise((resolve) => {
    const done = (signal?: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      stopWaiting?.removeEventListener('abort', onAbort);
      resolve(signal);
    };
    const onAbort = (): void => done();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    stopWaiting?.addEventListener('abort', onAbort, { once: true });
  });
}
