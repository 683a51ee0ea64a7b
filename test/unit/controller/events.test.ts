import { expect } from 'chai';
import { transitionEvents } from '../../../controller/events.ts';
import type { NotableEvent } from '../../../controller/io.ts';
import type { Condition, MCPServerStatus } from '../../../schemas/generated/mcpserver.ts';

const cond = (type: string, status: Condition['status'], reason: string): Condition => ({
  type,
  status,
  reason,
  message: `${type} ${reason}`,
  lastTransitionTime: 't',
});
const status = (phase: MCPServerStatus['phase'], ...conditions: Condition[]): MCPServerStatus => ({
  phase,
  message: 'm',
  conditions,
});

describe('transitionEvents', () => {
  const cases: Record<
    string,
    { before: MCPServerStatus | undefined; after: MCPServerStatus; want: NotableEvent[] }
  > = {
    'records nothing when nothing changed': { before: status('Ready'), after: status('Ready'), want: [] },
    'records a phase change as Normal': {
      before: status('Pending'),
      after: status('Ready'),
      want: [{ type: 'Normal', reason: 'Ready', message: 'Phase Ready: m' }],
    },
    'records Failed as a Warning with the failure reason': {
      before: status('Ready'),
      after: status('Failed', cond('Ready', 'False', 'CrashLoopBackOff')),
      want: [{ type: 'Warning', reason: 'CrashLoopBackOff', message: 'Phase Failed: m' }],
    },
    'records a condition going bad, and recovering': {
      before: status('Ready', cond('PermissionProfileEnforced', 'False', 'HostNamesNotEnforceable')),
      after: status('Ready', cond('PermissionProfileEnforced', 'True', 'Enforced')),
      want: [{ type: 'Normal', reason: 'Enforced', message: 'PermissionProfileEnforced Enforced' }],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => expect(transitionEvents(c.before, c.after)).to.deep.equal(c.want));
});
