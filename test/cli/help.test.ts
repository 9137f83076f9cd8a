import type { Command } from 'commander';
import { version } from '../../package.json';
import { registerGrantsCommand } from '../../src/cli/grants/grants-command';
import { createProgram } from '../../src/cli/program';
import { registerReplayCommand } from '../../src/cli/replay/replay-command';
import { captureIo } from './cli-io';

function buildProgram(): Command {
  const { io } = captureIo();
  return createProgram(version, [
    (program) => registerReplayCommand(program, io),
    (program) => registerGrantsCommand(program, io),
  ]);
}

/** Lists every command of the program, depth first, with its full name such as `phi-guard grants revoke`. */
function allCommands(command: Command, prefix = ''): [string, Command][] {
  const name = `${prefix}${command.name()}`;
  return [[name, command], ...command.commands.flatMap((child) => allCommands(child, `${name} `))];
}

describe('phi-guard help', () => {
  const commands = allCommands(buildProgram()).filter(([name]) => !name.endsWith(' help'));

  it('covers every command', () => {
    expect(commands.map(([name]) => name)).toEqual([
      'phi-guard',
      'phi-guard replay',
      'phi-guard grants',
      'phi-guard grants validate',
      'phi-guard grants import',
      'phi-guard grants revoke',
    ]);
  });

  it.each(commands)('%s describes every option', (_name, command) => {
    const help = command.helpInformation();
    expect(command.description().length).toBeGreaterThan(20);
    for (const option of command.options) {
      expect(help).toContain(option.flags);
      expect(option.description.length).toBeGreaterThan(10);
    }
  });

  it.each([
    ['phi-guard replay', '--batch-size <records>', /1 to 10000 \(default: 100\)/],
    ['phi-guard replay', '--buckets <names>', /default: the buckets the grants file names/],
    ['phi-guard replay', '--reports <dir>', /workflows locally .* write their reports/],
    ['phi-guard grants revoke', '--by <name>', /default: the operating system user name/],
    ['phi-guard grants import', '--region <region>', /default: AWS_REGION/],
  ])('%s help explains %s', (name, flags, pattern) => {
    const command = commands.find(([candidate]) => candidate === name)![1];
    const help = command.helpInformation();
    // Commander wraps help at the terminal width, so whitespace is normalized.
    const optionText = help.slice(help.indexOf(flags)).replace(/\s+/g, ' ');
    expect(optionText).toMatch(pattern);
  });

  it('prints the package version', async () => {
    const program = buildProgram();
    let printed = '';
    program.exitOverride().configureOutput({ writeOut: (text) => (printed += text) });
    await expect(program.parseAsync(['node', 'phi-guard', '--version'])).rejects.toMatchObject({
      exitCode: 0,
    });
    expect(printed).toBe(`${version}\n`);
  });
});
