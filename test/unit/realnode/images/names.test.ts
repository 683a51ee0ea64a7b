// realnode/images/names.ts: local names only, versions as package.json pins them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../../../../controlplane/versions.ts';
import { archiveFileName } from '../../../../realnode/images/catalog.ts';
import {
  binaryVersion,
  nodeImageNames,
  SERVER_EVERYTHING_PACKAGE,
  SERVER_EVERYTHING_VERSION,
  SERVER_FILESYSTEM_PACKAGE,
  SERVER_FILESYSTEM_VERSION,
} from '../../../../realnode/images/names.ts';

describe('realnode/images/names.ts', () => {
  it("installs the MCP servers at package.json's exact devDependency versions", () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies[SERVER_EVERYTHING_PACKAGE]).to.equal(SERVER_EVERYTHING_VERSION);
    expect(pkg.devDependencies[SERVER_FILESYSTEM_PACKAGE]).to.equal(SERVER_FILESYSTEM_VERSION);
  });

  it("tags a binary's image with the version of its cache folder", () => {
    expect(binaryVersion('/c/bin/coredns-v1.12.4/coredns')).to.equal('v1.12.4');
    expect(binaryVersion('/c/bin/metrics-server-v0.8.0/metrics-server')).to.equal('v0.8.0');
    expect(binaryVersion('/c/bin/pause-3.10/pause')).to.equal('3.10');
    expect(binaryVersion('/c/bin/k-v1.0.0+meta/k')).to.equal('v1.0.0_meta');
    expect(binaryVersion('/usr/local/bin/pause')).to.equal('local');
  });

  it('names every image under localhost/, never under a publisher’s name', () => {
    const names = nodeImageNames({
      pause: '/c/bin/pause-3.10/pause',
      coredns: '/c/bin/coredns-v1.12.4/coredns',
      metricsServer: '/c/bin/metrics-server-v0.8.0/metrics-server',
    });
    expect(names).to.deep.equal({
      operator: 'localhost/mcp-operator:dev',
      pause: 'localhost/pause:3.10',
      coredns: 'localhost/mcp-local/coredns:v1.12.4',
      metricsServer: 'localhost/mcp-local/metrics-server:v0.8.0',
      serverEverything: `localhost/mcp-local/server-everything:${SERVER_EVERYTHING_VERSION}`,
      serverFilesystem: `localhost/mcp-local/server-filesystem:${SERVER_FILESYSTEM_VERSION}`,
    });
  });

  it('files an archive by its name and key', () => {
    expect(archiveFileName('localhost/mcp-local/coredns:v1.12.4', 'ab'.repeat(32))).to.equal(
      'localhost_mcp-local_coredns_v1.12.4.abababababababab.tar',
    );
  });
});
