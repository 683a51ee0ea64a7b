// Structured JSON logs with a level, one line each, on stderr (stdout stays free for command output).
// Every module takes a Logger as a parameter rather than importing a global, so tests can pass a
// recording one.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { name }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}

/** A logger that drops everything: for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
