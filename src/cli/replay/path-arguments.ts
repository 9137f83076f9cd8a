/**
 * Checks of the paths named on the command line. Commands run them before any work, so that a wrong
 * path fails at once with a message that names it instead of failing halfway through a run.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Thrown when a path named on the command line cannot be used. The message names the path. */
export class PathArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathArgumentError';
  }
}

/**
 * Checks that `path` is an existing file.
 * @param label how messages name the path, such as "--grants file".
 */
export async function requireExistingFile(path: string, label: string): Promise<void> {
  const info = await statIfPresent(path);
  if (info === undefined) {
    throw new PathArgumentError(`The ${label} ${path} does not exist.`);
  }
  if (!info.isFile()) {
    throw new PathArgumentError(`The ${label} ${path} is not a file.`);
  }
}

/** Checks that `path` is a folder, or that it can be created because its nearest existing ancestor is a folder. */
export async function requireCreatableFolder(path: string, label: string): Promise<void> {
  const info = await statIfPresent(path);
  if (info !== undefined && !info.isDirectory()) {
    throw new PathArgumentError(
      `The ${label} ${path} is a file, not a folder. Pass a folder, which is created if it is missing.`,
    );
  }
  if (info === undefined) {
    await requireFolderAncestor(path, label);
  }
}

/** Checks that `path` is not a folder, and that a missing file can be created in its nearest existing ancestor. */
export async function requireCreatableFile(path: string, label: string): Promise<void> {
  const info = await statIfPresent(path);
  if (info?.isDirectory() === true) {
    throw new PathArgumentError(`The ${label} ${path} is a folder, not a file.`);
  }
  if (info === undefined) {
    await requireFolderAncestor(path, label);
  }
}

async function requireFolderAncestor(path: string, label: string): Promise<void> {
  let ancestor = dirname(path);
  let info = await statIfPresent(ancestor);
  while (info === undefined && dirname(ancestor) !== ancestor) {
    ancestor = dirname(ancestor);
    info = await statIfPresent(ancestor);
  }
  if (info !== undefined && !info.isDirectory()) {
    throw new PathArgumentError(`The ${label} ${path} cannot be created because ${ancestor} is a file.`);
  }
}

/** Returns the file system entry at `path`, or undefined when there is none. */
export async function statIfPresent(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return undefined;
    }
    throw error;
  }
}
