// The shape of one `mcp-operator` subcommand. Each lives in cli/commands/<name>.ts and is listed in
// cli/commands/index.ts; main.ts only dispatches.
export interface Command {
  /** The word after `mcp-operator`. */
  name: string;
  /** One line for `mcp-operator help`. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}
