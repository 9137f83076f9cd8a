/** Reads the shared CloudTrail fixtures and grants under test/fixtures/cloudtrail. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGrantsFile } from '../../src/domain/grants';
import type { Grant } from '../../src/domain/types';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'cloudtrail');

export function fixturePath(name: string): string {
  return path.join(fixtureDir, name);
}

export function loadFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as Record<string, unknown>;
}

/** The fixture grants, which must parse without problems. */
export function loadFixtureGrants(): Grant[] {
  const { grants, problems } = parseGrantsFile(readFileSync(fixturePath('grants.json'), 'utf8'), 'json');
  if (problems.length > 0) throw new Error(`Fixture grants have problems: ${JSON.stringify(problems)}`);
  return grants;
}
