// ToolHive's proxy runner (thv-proxyrunner v0.44) for bench/toolhive-proxy.ts, in front of an MCP server
// that already listens on loopback, started as ToolHive's operator starts it for an MCPRemoteProxy
// (cmd/thv-operator/controllers/mcpremoteproxy_runconfig.go and mcpremoteproxy_deployment.go): a run
// config with `remote_url`, `run --foreground=true placeholder-for-remote-proxy`, and the environment
// controllerutil.EnsureRequiredEnvVars gives every proxy container (TOOLHIVE_RUNTIME=kubernetes, HOME and
// XDG_CONFIG_HOME in a scratch directory, JSON logs). With `remote_url` set, runner.Run skips
// runtime.Setup (no StatefulSet, no container) and HTTPTransport.Start builds its transparent proxy (an
// httputil.ReverseProxy behind the middleware chain) toward that URL: the same data path as an
// MCPServer with transport streamable-http or sse, whose runner proxies the container's Service URL.
// The runner still builds a Kubernetes client at start (container.NewFactory().Create); it loads the
// kubeconfig written here, naming a loopback port nobody listens on, and the remote path never calls it.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, httpPath, type BenchPath } from '../lib/mcp-paths.ts';

/** The fields of runner.RunConfig (pkg/runner/config.go) the operator sets for an MCPRemoteProxy without auth. */
export interface ProxyRunnerRunConfig {
  schema_version: string;
  name: string;
  base_name: string;
  remote_url: string;
  transport: 'streamable-http' | 'sse';
  host: string;
  port: number;
}

/**
 * The run config the operator would write for an MCPRemoteProxy named `name` in front of remoteUrl, but
 * bound to `host`: 127.0.0.1 here, where the runner also checks Origin (runner.prependOriginMiddleware
 * allows only its own loopback origins); the operator writes 0.0.0.0 (TOOLHIVE_PROXY_HOST in its chart),
 * where the runner has no Origin allowlist unless allowed_origins is set, which the operator never sets.
 */
export function proxyRunnerRunConfig(
  name: string,
  remoteUrl: string,
  port: number,
  host = '127.0.0.1',
): ProxyRunnerRunConfig {
  const url = new URL(remoteUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`remote_url: Unsupported value: "${url.protocol}": supported values: "http:", "https:"`);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`port: Invalid value: ${port}: must be between 1 and 65535`);
  return {
    schema_version: 'v0.1.0',
    name,
    base_name: name,
    remote_url: url.href,
    transport: 'streamable-http',
    host,
    port,
  };
}

/** A kubeconfig (JSON, which client-go's loader reads as YAML) naming a server at `server`, no credentials. */
export function unusedKubeconfig(server: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'unused', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'unused', user: {} }],
    contexts: [{ name: 'unused', context: { cluster: 'unused', user: 'unused' } }],
    'current-context': 'unused',
  });
}

/**
 * The runner's environment: what EnsureRequiredEnvVars sets in a pod, the kubeconfig in place of the
 * in-cluster one, usage metrics off (ToolHive's opt-out: a bench does not report to stacklok; the
 * middleware is one counter increment per tools/call) and, as for an MCPServer's runner, the health
 * checks of the upstream on (a remote proxy has them only with TOOLHIVE_REMOTE_HEALTHCHECKS).
 */
export function proxyRunnerEnv(dir: string, kubeconfig: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    TOOLHIVE_RUNTIME: 'kubernetes',
    UNSTRUCTURED_LOGS: 'false',
    KUBECONFIG: kubeconfig,
    TOOLHIVE_USAGE_METRICS_ENABLED: 'false',
    TOOLHIVE_REMOTE_HEALTHCHECKS: 'true',
  };
}

export interface ProxyRunnerPath extends BenchPath {
  /** The runner's log (its stdout and stderr), read after the run for errors. */
  log(): string;
}

/**
 * thv-proxyrunner from `binaries` in a scratch cwd holding its runconfig.json, in front of serverUrl, in
 * its own process group (stop() ends it), bound to `host` and reached at 127.0.0.1; resolves once it
 * answers on /mcp.
 */
export async function startProxyRunner(
  name: string,
  binaries: string,
  serverUrl: string,
  host = '127.0.0.1',
): Promise<ProxyRunnerPath> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-thv-proxyrunner-'));
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'runconfig.json'),
    JSON.stringify(proxyRunnerRunConfig(name, serverUrl, port, host)),
  );
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, unusedKubeconfig(`https://127.0.0.1:${await freePort()}`));
  const logFile = path.join(dir, 'proxyrunner.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    path.join(binaries, 'thv-proxyrunner'),
    ['run', '--foreground=true', 'placeholder-for-remote-proxy'],
    { cwd: dir, stdio: ['ignore', out, out], detached: true, env: proxyRunnerEnv(dir, kubeconfig) },
  );
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `${code ?? signal}`));
  try {
    await untilUp(url, () => exit, logFile);
  } catch (err) {
    if (exit === undefined) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const base = httpPath(name, [child], url);
  let kept: string | undefined;
  return {
    ...base,
    log: () => kept ?? readFileSync(logFile, 'utf8'),
    async stop() {
      await base.stop();
      kept ??= readFileSync(logFile, 'utf8');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Until url answers at all (any status), the runner exits, or 30 s pass. */
async function untilUp(url: URL, exited: () => string | undefined, logFile: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (exited() !== undefined) throw new Error(`thv-proxyrunner exited (${exited()}): ${tail(logFile)}`);
    if (
      await fetch(url, { method: 'GET' }).then(
        () => true,
        () => false,
      )
    )
      return;
    if (performance.now() > deadline)
      throw new Error(`thv-proxyrunner: no answer on ${url.href}: ${tail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const tail = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');

/** Lines of a JSON log at level error or warn (slog's "level":"ERROR"/"WARN"), for the report. */
export function complaints(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => /"level":"(ERROR|WARN)"/iu.test(line))
    .map((line) => line.slice(0, 300));
}
