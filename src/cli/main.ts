/**
 * Entry point of the `phi-guard` CLI (bin/phi-guard.mjs runs it through tsx).
 * Each top-level command lives in its own module and is added here by its registrar.
 */
import { version } from '../../package.json';
import { registerGrantsCommand } from './grants/grants-command';
import { registerIncidentsCommand } from './incidents-command';
import { registerReconcileCommand } from './reconcile-command';
import { createProgram } from './program';
import { registerReplayCommand } from './replay/replay-command';

// A reader that stops early, such as `head`, closes the pipe. The rest of the output is then not wanted, so
// the command ends quietly instead of crashing with an unhandled EPIPE error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const program = createProgram(version, [
  registerReplayCommand,
  registerGrantsCommand,
  (root) => registerIncidentsCommand(root),
  (root) => registerReconcileCommand(root),
]);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
