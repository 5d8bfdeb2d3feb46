/**
 * @module main
 * The `carve` program: parses the command line, runs a command, and turns errors into
 * exit codes (2 with one line for the user's mistakes, 1 with a stack trace for ours).
 */
import { Command, CommanderError } from 'commander';
import { calibrateCommand } from './commands/calibrate';
import { cloudCommand } from './commands/cloud';
import { compressCommand } from './commands/compress';
import { evalCommand } from './commands/eval';
import { evalLossCommand } from './commands/eval-loss';
import { experimentCommand } from './commands/experiment';
import { exportCommand } from './commands/export';
import { generateCommand } from './commands/generate';
import { importanceCommand } from './commands/importance';
import { sampleCommand } from './commands/sample';
import { spaceCommand } from './commands/space';
import { reportCommand } from './commands/report';
import { runsCommand } from './commands/runs';
import { searchCommand } from './commands/search';
import { trainCommand } from './commands/train';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, isUserError } from './errors';
import { CliIO, processIO } from './io';

function program(io: CliIO): Command {
  const root = new Command('carve')
    .description('compress language models by automated sub-network search')
    .showHelpAfterError('(run with --help for usage)');
  const commands = [compressCommand(io), generateCommand(io), evalCommand(io), evalLossCommand(io), importanceCommand(io), spaceCommand(io), sampleCommand(io), calibrateCommand(io), trainCommand(io), searchCommand(io), exportCommand(io), experimentCommand(io), runsCommand(io), reportCommand(io), cloudCommand(io)];
  for (const command of commands) root.addCommand(command);
  // Commander would call process.exit and print through console; route both through io.
  const configure = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    c.commands.forEach(configure);
  };
  configure(root);
  return root;
}

/** Runs `carve` with `argv` (without node and script) and resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  try {
    await program(io).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (isUserError(e)) {
      io.stderr(`carve: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`carve: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
