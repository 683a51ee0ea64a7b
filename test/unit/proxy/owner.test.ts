import { expect } from 'chai';
import { chooseOwner, type OwnerChoice, type SessionView } from '../../../proxy/owner.ts';

const session = (id: string, inFlight: number, capabilities: Record<string, unknown> = {}): SessionView => ({
  id,
  inFlight,
  capabilities,
});

describe('chooseOwner', () => {
  const cases: Record<
    string,
    { method: string; byToken?: string; sessions: SessionView[]; want: OwnerChoice }
  > = {
    'takes the session named by the progress token': {
      method: 'sampling/createMessage',
      byToken: 'b',
      sessions: [session('a', 1, { sampling: {} }), session('b', 1, { sampling: {} })],
      want: { owner: 'b' },
    },
    'takes the only session with requests in flight': {
      method: 'roots/list',
      sessions: [session('a', 0, { roots: {} }), session('b', 2, { roots: {} })],
      want: { owner: 'b' },
    },
    'takes the only capable one of several busy sessions': {
      method: 'elicitation/create',
      sessions: [session('a', 1), session('b', 1, { elicitation: {} })],
      want: { owner: 'b' },
    },
    'takes the only capable session when none is busy': {
      method: 'roots/list',
      sessions: [session('a', 0), session('b', 0, { roots: {} })],
      want: { owner: 'b' },
    },
    'refuses when several busy sessions are capable': {
      method: 'sampling/createMessage',
      sessions: [session('a', 1, { sampling: {} }), session('b', 1, { sampling: {} })],
      want: {
        refusal: 'no single client session can be told apart as the one asking for sampling/createMessage',
      },
    },
    'refuses when there is no session': {
      method: 'roots/list',
      sessions: [],
      want: { refusal: 'no single client session can be told apart as the one asking for roots/list' },
    },
    'refuses when the owner lacks the capability': {
      method: 'sampling/createMessage',
      sessions: [session('a', 1)],
      want: { refusal: 'the client session does not support sampling' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(chooseOwner(c.method, c.byToken, c.sessions)).to.deep.equal(c.want));
  }
});
