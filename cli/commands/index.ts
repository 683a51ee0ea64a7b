// Every subcommand, in the order `mcp-operator help` lists them. Add one line per new command.
import type { Command } from '../command.ts';
import { devCommand } from './dev.ts';

export const commands: Command[] = [devCommand];
