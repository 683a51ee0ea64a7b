// The operator image: its config is the Dockerfile's final stage over the distroless-like base, and its
// files are what the Dockerfile's steps make. The Dockerfile is read here with plain text matching, apart
// from lib/dockerfile.ts, so that the image config cannot drift from what the Dockerfile says.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DOCKERFILE } from '../../../../lib/dockerfile.ts';
import { sharedConfig } from '../../../../realnode/images/catalog.ts';
import { planDockerfile } from '../../../../realnode/images/dockerfile-build.ts';
import { inheritConfig } from '../../../../realnode/images/oci.ts';
import { copiedSources, operatorRecipe, settingsConfig } from '../../../../realnode/images/operator.ts';

const TEXT = readFileSync(DOCKERFILE, 'utf8');
/** The final stage as written: everything after the last FROM, continuation lines joined. */
const FINAL = TEXT.slice(TEXT.lastIndexOf('\nFROM ')).replace(/\\\n/g, ' ');
const line = (instruction: string): string[] =>
  [...FINAL.matchAll(new RegExp(`^${instruction} (.*)$`, 'gm'))].map((m) => m[1]!.trim());

describe('realnode/images/operator.ts', () => {
  const recipe = operatorRecipe();
  const config = inheritConfig(sharedConfig(recipe.shared), settingsConfig(planDockerfile(TEXT).settings));

  it('is named under localhost/ and sits on the base and Node runtime layers', () => {
    expect(recipe.name).to.equal('localhost/mcp-operator:dev');
    expect(operatorRecipe('localhost/other:1').name).to.equal('localhost/other:1');
    expect(recipe.shared).to.deep.equal(['base', 'node']);
  });

  it("takes ENTRYPOINT, CMD, USER and WORKDIR from the Dockerfile's final stage", () => {
    expect(config.Entrypoint).to.deep.equal(JSON.parse(line('ENTRYPOINT').at(-1)!));
    expect(config.Cmd).to.deep.equal(JSON.parse(line('CMD').at(-1)!));
    expect(config.User).to.equal(line('USER').at(-1));
    expect(config.WorkingDir).to.equal(line('WORKDIR').at(-1));
    expect(config.Entrypoint![0]).to.equal('/nodejs/bin/node'); // where the Node runtime layer puts Node
  });

  it("has every ENV of the final stage, over the base's PATH and SSL_CERT_FILE", () => {
    const env = line('ENV');
    expect(env).to.have.length.greaterThan(0);
    for (const e of env) expect(config.Env).to.include(e);
    expect(config.Env!.map((e) => e.split('=')[0])).to.have.members([
      'PATH',
      'SSL_CERT_FILE',
      ...env.map((e) => e.split('=')[0]),
    ]);
  });

  it("has exactly the final stage's LABELs", () => {
    const labels = Object.fromEntries(
      line('LABEL').flatMap((l) => [...l.matchAll(/([\w.-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])),
    );
    expect(Object.keys(labels)).to.include('org.opencontainers.image.source');
    expect(config.Labels).to.deep.equal(labels);
  });

  it('plans the build stage as written: copies from the context and RUN lines, in order', () => {
    const plan = planDockerfile(TEXT);
    expect(plan.buildStage).to.equal('build');
    const copies = TEXT.slice(0, TEXT.lastIndexOf('\nFROM '))
      .split('\n')
      .filter((l) => l.startsWith('COPY '))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copiedSources(plan)).to.deep.equal(copies);
    expect(plan.buildSteps.filter((s) => s.kind === 'run').map((s) => s.command)[0]).to.match(/^npm ci /);
    expect(plan.finalCopies).to.deep.equal([
      { from: 'package.json', to: '/app', intoFolder: true },
      { from: 'node_modules', to: '/app/node_modules', intoFolder: false },
      { from: 'dist', to: '/app/dist', intoFolder: false },
    ]);
  });

  it('refuses instructions it does not carry out rather than skipping them', () => {
    const base = 'FROM a AS build\nWORKDIR /src\nRUN true\nFROM b\n';
    expect(() => planDockerfile(`${base}RUN echo no shell here\n`)).to.throw(/final stage: RUN/);
    expect(() => planDockerfile(base.replace('RUN true', 'ARG X=1'))).to.throw(/build stage: ARG/);
    expect(() => planDockerfile(`${base}COPY --from=other /x /y\n`)).to.throw(/final stage: COPY/);
    expect(() => planDockerfile('FROM a\n')).to.throw(/a build stage and a final stage/);
    expect(planDockerfile(`${base}COPY --from=build /src/out/ /opt/\n`).finalCopies).to.deep.equal([
      { from: 'out', to: '/opt', intoFolder: true },
    ]);
  });

  it("keys the archive on the Dockerfile and every source folder's content", async () => {
    const inputs = await recipe.inputs();
    expect(inputs[0]).to.equal(TEXT);
    for (const source of ['package.json', 'package-lock.json', 'cli', 'controller', 'proxy', 'lib'])
      expect(inputs).to.include(source);
    expect(inputs.filter((i) => /^[0-9a-f]{64}$/.test(i))).to.have.length(
      copiedSources(planDockerfile(TEXT)).length,
    );
  });
});
