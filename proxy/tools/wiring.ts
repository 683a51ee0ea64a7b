// The proxy's outermost backend wrapper: the run config's `tools` section (tool-backend.ts). Always
// installed, even without the section, so a section that appears later in the mounted run config
// (config-watch.ts) applies to the running proxy; with no section it passes every message on after
// one check.
import type { Logger } from '../../lib/log.ts';
import type { Backend } from '../backends/backend.ts';
import { compileToolPlan, type RunConfigTools } from './plan.ts';
import { ToolControllingBackend } from './tool-backend.ts';

export interface ToolControl {
  backend: Backend;
  /** Replaces the section the running proxy applies; undefined: every tool as the server has it. */
  apply: (section: RunConfigTools | undefined) => void;
}

export function withToolControl(
  backend: Backend,
  section: RunConfigTools | undefined,
  log: Logger,
): ToolControl {
  const controlled = new ToolControllingBackend(backend, compileToolPlan(section));
  if (section) log.info(summary(section), 'Tool configuration is on: clients see and call tools as it says');
  return {
    backend: controlled,
    apply: (next) => {
      controlled.replacePlan(compileToolPlan(next));
      log.info(
        summary(next ?? {}),
        'Applied the changed tool configuration; open sessions were told the tool list changed',
      );
    },
  };
}

function summary(section: RunConfigTools): Record<string, unknown> {
  return {
    toolsFilter: section.toolsFilter ?? [],
    toolsOverride: Object.keys(section.toolsOverride ?? {}),
  };
}
