// Every subcommand, in the order `mcp-operator help` lists them. Add one line per new command.
import type { Command } from '../command.ts';
import { devCommand } from './dev.ts';
import { validateCommand } from './validate.ts';
import { webhookCommand } from './webhook.ts';

export const commands: Command[] = [devCommand, validateCommand, webhookCommand];
