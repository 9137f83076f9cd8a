import type { Command } from 'commander';
import { version } from '../../package.json';
import { registerGrantsCommand } from '../../src/cli/grants/grants-command';
import { registerIncidentsCommand } from '../../src/cli/incidents-command';
import { createProgram, describeOption } from '../../src/cli/program';
import { registerReconcileCommand } from '../../src/cli/reconcile-command';
import { registerReplayCommand } from '../../src/cli/replay/replay-command';
import { captureIo } from './cli-io';

/** Builds the program as src/cli/main.ts does, with every command. */
function buildProgram(): Command {
  const { io } = captureIo();
  return createProgram(version, [
    (program) => registerReplayCommand(program, io),
    (program) => registerGrantsCommand(program, io),
    (program) => registerIncidentsCommand(program, io),
    (program) => registerReconcileCommand(program, io),
  ]);
}

/** Returns the help text with each run of whitespace as one space, because commander wraps at the terminal width. */
function flatHelp(command: Command): string {
  return command.helpInformation().replace(/\s+/g, ' ');
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
      'phi-guard incidents',
      'phi-guard incidents show',
      'phi-guard incidents release',
      'phi-guard reconcile',
    ]);
  });

  it('summary names every command', () => {
    const program = commands[0][1];
    const help = flatHelp(program);
    for (const name of ['replay', 'reconcile', 'grants', 'incidents']) {
      expect(program.description()).toContain(name);
      expect(help).toContain(` ${name} `);
    }
  });

  it.each([
    ['phi-guard replay', '--grants <file>'],
    ['phi-guard reconcile', '--trail <dir>'],
    ['phi-guard reconcile', '--decisions <file>'],
    ['phi-guard grants import', '--table <name>'],
    ['phi-guard grants revoke', '--reason <text>'],
    ['phi-guard incidents release', '--table <name>'],
    ['phi-guard incidents release', '--reason <text>'],
  ])('%s marks %s required', (name, flags) => {
    const command = commands.find(([candidate]) => candidate === name)![1];
    const option = command.options.find((candidate) => candidate.flags === flags)!;
    expect(option.mandatory).toBe(true);
    expect(describeOption(option)).toBe(`${option.description} (required)`);
    expect(flatHelp(command)).toContain(`${flags} ${describeOption(option)}`.replace(/\s+/g, ' '));
  });

  it.each(commands)('%s marks only required options', (_name, command) => {
    const required = command.options.filter((option) => option.mandatory);
    expect(flatHelp(command).split('(required)')).toHaveLength(required.length + 1);
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
