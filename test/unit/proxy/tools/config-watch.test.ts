// The run-config watcher (proxy/config-watch.ts) against a real proxy: the file laid out as kubelet
// mounts a ConfigMap (runconfig.json -> ..data/runconfig.json, ..data -> a timestamped directory) and
// updated as kubelet updates it (a new directory, ..data swapped by rename). A changed tools section
// reaches open sessions without a restart; other changes are logged, not applied.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { configFromFile, type RunConfigFile } from '../../../../proxy/config.ts';
import { watchRunConfig, type ConfigWatch } from '../../../../proxy/config-watch.ts';
import { runProxy, type StartedProxy } from '../../../../proxy/proxy.ts';
import { connectClient, untilHealthy } from '../support/servers.ts';
import { allTools, namesOf, pagedToolsFile, recordingLogger } from './support/tools-proxy.ts';

/** A ConfigMap volume as kubelet's atomic writer lays it out. */
class MountedConfigMap {
  private generation = 0;
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  get path(): string {
    return join(this.dir, 'runconfig.json');
  }
  async create(text: string): Promise<void> {
    const data = await this.version(text);
    await symlink(data, join(this.dir, '..data'));
    await symlink(join('..data', 'runconfig.json'), this.path);
  }
  /** A new timestamped directory, then ..data swapped to it in one rename, as kubelet does. */
  async update(text: string): Promise<void> {
    const data = await this.version(text);
    await symlink(data, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }
  private async version(text: string): Promise<string> {
    this.generation += 1;
    const name = `..2026_12_05_14_00_0${this.generation}.${this.generation}`;
    await mkdir(join(this.dir, name));
    await writeFile(join(this.dir, name, 'runconfig.json'), text);
    return name;
  }
}

const text = (file: RunConfigFile) => `${JSON.stringify(file, null, 2)}\n`;

describe('proxy/config-watch: a changed tools section reaches the running proxy', function () {
  this.timeout(30_000);
  let dir: string;
  let proxy: StartedProxy | undefined;
  let watch: ConfigWatch | undefined;
  let client: Client | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runconfig-'));
  });
  afterEach(async () => {
    watch?.close();
    await client?.close();
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startFrom(file: RunConfigFile, mount: MountedConfigMap, log = recordingLogger().log) {
    await mount.create(text(file));
    proxy = await runProxy(configFromFile(file), { log, processMetrics: false });
    await untilHealthy(proxy.url);
    watch = watchRunConfig(mount.path, file, { log, apply: proxy.applyTools, settleMs: 20 });
    client = await connectClient(proxy.url, 'streamable-http');
    return client;
  }

  /** Lists until the names differ from `before` (the watcher reacts to inotify; mocha's timeout ends a miss). */
  async function untilListChanges(c: Client, before: string[]): Promise<string[]> {
    for (;;) {
      const names = namesOf((await allTools(c)).tools);
      if (JSON.stringify(names) !== JSON.stringify(before)) return names;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('kubelet swapping ..data to a file with another filter and a rename changes tools/list and calls in the open session', async () => {
    const mount = new MountedConfigMap(dir);
    const c = await startFrom(pagedToolsFile({ toolsFilter: ['read_file', 'seen'] }), mount);
    expect(namesOf((await allTools(c)).tools)).to.deep.equal(['read_file', 'seen']);
    const started = proxy!.url;
    await mount.update(
      text(
        pagedToolsFile({
          toolsFilter: ['web_fetch', 'seen'],
          toolsOverride: { fetch: { name: 'web_fetch' } },
        }),
      ),
    );
    expect(await untilListChanges(c, ['read_file', 'seen'])).to.deep.equal(['web_fetch', 'seen']);
    const result = (await c.callTool({ name: 'web_fetch' })) as { content: { text: string }[] };
    expect(result.content[0]!.text).to.equal('fetch:{}');
    expect(proxy!.url, 'same proxy, no restart').to.equal(started);
    await mount.update(text(pagedToolsFile(undefined)));
    expect(await untilListChanges(c, ['web_fetch', 'seen'])).to.have.length(6);
  });

  it('a file written in place (no symlinks) is watched too', async () => {
    const file = pagedToolsFile({ toolsFilter: ['seen'] });
    const path = join(dir, 'runconfig.json');
    await writeFile(path, text(file));
    const { log } = recordingLogger();
    proxy = await runProxy(configFromFile(file), { log, processMetrics: false });
    watch = watchRunConfig(path, file, { log, apply: proxy.applyTools, settleMs: 20 });
    client = await connectClient(proxy.url, 'streamable-http');
    expect(namesOf((await allTools(client)).tools)).to.deep.equal(['seen']);
    await writeFile(path, text(pagedToolsFile({ toolsFilter: ['seen', 'fetch'] })));
    expect(await untilListChanges(client, ['seen'])).to.deep.equal(['fetch', 'seen']);
  });

  it('other changes are logged as needing a restart and not applied; an invalid file is logged and ignored', async () => {
    const mount = new MountedConfigMap(dir);
    const { log, lines } = recordingLogger();
    const file = pagedToolsFile({ toolsFilter: ['seen'] });
    await startFrom(file, mount, log);
    const applied: unknown[] = [];
    watch!.close();
    watch = watchRunConfig(mount.path, file, { log, apply: (t) => applied.push(t), settleMs: 20 });
    await watch.check();
    await mount.update(text({ ...file, limits: { maxSessions: 3 } }));
    await watch.check();
    await mount.update('{"version": 1, "tools": ');
    await watch.check();
    await mount.update(text({ ...file, tools: { toolsFilter: [''] } }));
    await watch.check();
    expect(applied, 'nothing applied').to.deep.equal([]);
    const messages = lines.filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(messages.some((m) => m.includes('beyond its tools section'))).to.equal(true);
    expect(messages.filter((m) => m.includes('not valid'))).to.have.length(2);
    const problems = lines.filter((l) => l.problem).map((l) => String(l.problem));
    expect(problems.some((p) => p.includes('tools.toolsFilter[0]'))).to.equal(true);
  });
});
