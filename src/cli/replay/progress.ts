import { SingleBar } from 'cli-progress';
import type { CliStream } from '../io';
import type { ReplayProgress } from './run-replay';

/** Shows files read out of the total on stderr, only on an interactive terminal. */
export interface ProgressDisplay {
  update(progress: ReplayProgress): void;
  stop(): void;
}

export function createProgressDisplay(
  stream: CliStream,
  totalFiles: number,
  enabled: boolean,
): ProgressDisplay {
  if (!enabled || stream.isTTY !== true) {
    return { update: () => undefined, stop: () => undefined };
  }

  const bar = new SingleBar({
    stream,
    format: 'replay [{bar}] {value}/{total} files | {records} records',
    clearOnComplete: true,
    hideCursor: true,
  });
  bar.start(totalFiles, 0, { records: 0 });
  return {
    update: (progress) => bar.update(progress.filesRead, { records: progress.recordsRead }),
    stop: () => bar.stop(),
  };
}
