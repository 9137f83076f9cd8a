import type { LocalResponseResult } from '../../src/local/response-runner';
import { formatReplaySummary } from '../../src/cli/replay/replay-summary';
import { ReplayTally } from '../../src/cli/replay/replay-tally';
import type { ReplayResult } from '../../src/cli/replay/run-replay';

function resultWith(tally: ReplayTally, responses?: LocalResponseResult[]): ReplayResult {
  return { tally, filesRead: 3, triageInputs: [], responses, containmentLog: [], reportsDirectory: 'out' };
}

describe('replay summary', () => {
  it('counts unreadable files apart', () => {
    const tally = new ReplayTally();
    tally.recordsRead = 2;
    tally.recordsDecided = 1;
    tally.failures.push({
      file: 'a.json',
      position: 2,
      reason: 'The CloudTrail record is null, not a JSON object.',
    });
    tally.unreadableFiles.push({
      file: 'b.json',
      reason: 'CloudTrail content is not valid JSON: Unexpected end of JSON input at line 1, column 14.',
    });

    const lines = formatReplaySummary(resultWith(tally), { quiet: true });

    expect(lines[0]).toBe('Replayed 2 records from 2 files.');
    expect(lines).toContain('Decisions: 0 (from 1 record)');
    expect(lines).toContain('Failed records: 1');
    expect(lines).toContain('Unreadable files: 1');
    expect(lines).toContain('  a.json record 2: The CloudTrail record is null, not a JSON object.');
    expect(lines).toContain(
      '  b.json: CloudTrail content is not valid JSON: Unexpected end of JSON input at line 1, column 14.',
    );
  });

  it('names the error of a failed response', () => {
    const response: LocalResponseResult = {
      principalKey: 'arn:aws:iam::111122223333:user/j.doe',
      incidentId: 'inc-20250314T010000Z-0001',
      isNew: true,
      responseStart: 'started',
      responseStatus: 'failed',
      responseError: 'States.TaskFailed: the report could not be written',
      alerts: [],
      reportPaths: [],
      taskCalls: [],
    };

    const lines = formatReplaySummary(resultWith(new ReplayTally(), [response]), { quiet: false });

    expect(lines).toContain(
      '  Response of incident inc-20250314T010000Z-0001 failed: States.TaskFailed: the report could not be written',
    );
    expect(lines).toContain(
      'Reports: 0 incident reports (JSON, Markdown and the Object Lock retention each would get) written under out.',
    );
  });
});
