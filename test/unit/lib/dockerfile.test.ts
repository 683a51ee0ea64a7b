import { expect } from 'chai';
import {
  dockerfileStages,
  imageEntrypoint,
  imageEnv,
  imageNodeFlags,
  imageSettings,
  stageEnv,
  stageSettings,
} from '../../../lib/dockerfile.ts';

const DOCKERFILE = `# comment
FROM node:24 AS build
ENV BUILD_ONLY=1
RUN npm ci \\
    --ignore-scripts
FROM distroless:nonroot
env NODE_ENV=production QUOTED="a b" ESCAPED="say \\"hi\\""
ENV LEGACY value with spaces
COPY --from=build /src/dist ./dist
ENTRYPOINT ["/nodejs/bin/node", "dist/cli/main.js"]
`;

describe('lib/dockerfile', () => {
  it('splits stages, joins continuation lines and names unnamed stages by position', () => {
    const stages = dockerfileStages(DOCKERFILE);
    expect(stages.map((s) => s.name)).to.deep.equal(['build', 'stage1']);
    expect(stages[0]!.steps).to.deep.include({ instruction: 'RUN', args: 'npm ci --ignore-scripts' });
    expect(stages[1]!.steps.map((s) => s.instruction)).to.deep.equal(['ENV', 'ENV', 'COPY', 'ENTRYPOINT']);
  });

  it("reads a stage's ENV in both forms, with quotes and escapes", () => {
    expect(stageEnv(dockerfileStages(DOCKERFILE)[1]!)).to.deep.equal({
      NODE_ENV: 'production',
      QUOTED: 'a b',
      ESCAPED: 'say "hi"',
      LEGACY: 'value with spaces',
    });
  });

  it("gives the image's environment from the final stage only", () => {
    expect(imageEnv(DOCKERFILE)).to.not.have.property('BUILD_ONLY');
    expect(imageEnv()).to.have.property('NODE_ENV', 'production'); // the project's own Dockerfile
  });

  it("gives the ENTRYPOINT's Node flags, those before the script", () => {
    expect(imageEntrypoint(DOCKERFILE)).to.deep.equal(['/nodejs/bin/node', 'dist/cli/main.js']);
    expect(imageNodeFlags(DOCKERFILE)).to.deep.equal([]);
    const flagged = DOCKERFILE.replace('"/nodejs/bin/node", ', '"/nodejs/bin/node", "--optimize-for-size", ');
    expect(imageNodeFlags(flagged)).to.deep.equal(['--optimize-for-size']);
    expect(imageNodeFlags('FROM x\n')).to.deep.equal([]);
  });

  it("reads a stage's LABEL, USER, WORKDIR, ENTRYPOINT and CMD as the image config gets them", () => {
    const text = `FROM a AS build
USER builder
FROM b
LABEL org.example.one="first value" \\
      org.example.two=second
WORKDIR /app
WORKDIR sub
USER 65532:65532
CMD ["--help"]
ENTRYPOINT ["/nodejs/bin/node", "main.js"]
`;
    expect(imageSettings(text)).to.deep.equal({
      env: {},
      labels: { 'org.example.one': 'first value', 'org.example.two': 'second' },
      workingDir: '/app/sub',
      user: '65532:65532',
      cmd: ['--help'],
      entrypoint: ['/nodejs/bin/node', 'main.js'],
    });
    expect(stageSettings(dockerfileStages(text)[0]!)).to.deep.equal({ env: {}, labels: {}, user: 'builder' });
    expect(imageSettings('FROM x\nCMD echo hi\n').cmd).to.deep.equal(['/bin/sh', '-c', 'echo hi']);
  });
});
