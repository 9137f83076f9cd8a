/**
 * Returns `bucket/` followed by at most `depth` leading folders of `key` (`records/patients/MRN-1/`
 * for `patients/MRN-1/visit.json` with depth 2). The file name itself is never part of a prefix.
 */
export function keyPrefix(bucket: string, key: string, depth = 2): string {
  const folders = key
    .split('/')
    .slice(0, -1)
    .filter((segment) => segment !== '')
    .slice(0, depth);

  return `${bucket}/${folders.map((segment) => `${segment}/`).join('')}`;
}
