/**
 * Returns `bucket/` followed by at most `depth` leading folders of `key` (`records/patients/MRN-1/`
 * for `patients/MRN-1/visit.json` with depth 2). The file name itself is never part of a prefix, and
 * empty folders (from `//`) are skipped.
 */
export function keyPrefix(bucket: string, key: string, depth = 2): string {
  let prefix = `${bucket}/`;
  let folders = 0;
  let start = 0;
  // Every folder ends with a slash, so scanning slash to slash never reaches the file name. This runs
  // once per decision, which is why it avoids the arrays of split, slice and filter.
  for (let end = key.indexOf('/'); end !== -1 && folders < depth; end = key.indexOf('/', start)) {
    if (end > start) {
      prefix += key.slice(start, end + 1);
      folders += 1;
    }
    start = end + 1;
  }

  return prefix;
}
