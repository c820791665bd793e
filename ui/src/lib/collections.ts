/** Appends `page` to `existing`, skipping items whose key is already there (pages may overlap). */
export function appendUnique<T>(
  existing: readonly T[],
  page: readonly T[],
  key: (item: T) => string | number,
): T[] {
  const seen = new Set(existing.map(key));
  const merged = [...existing];
  for (const item of page) {
    const k = key(item);
    if (!seen.has(k)) {
      seen.add(k);
      merged.push(item);
    }
  }
  return merged;
}
