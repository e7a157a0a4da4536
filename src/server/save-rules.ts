// `save <seconds> <changes> [<seconds> <changes> ...]`: snapshot when at least <changes> writes
// happened and at least <seconds> passed since the last save (Redis's saveparams). "" disables.

export interface SaveRule {
  readonly seconds: number;
  readonly changes: number;
}

/** Normalises the option text, as CONFIG GET save prints it; Redis's error text otherwise. */
export function normalizeSaveOption(raw: string): { value: string } | { error: string } {
  const words = raw.trim() === '' ? [] : raw.trim().split(/\s+/);
  if (words.length % 2 !== 0) return { error: 'Invalid save parameters' };
  for (let i = 0; i < words.length; i++) {
    // strtoll with nothing left over, seconds >= 1, changes >= 0
    if (!/^[+-]?\d+$/.test(words[i]!)) return { error: 'Invalid save parameters' };
    const n = Number(words[i]);
    if ((i % 2 === 0 && n < 1) || (i % 2 === 1 && n < 0)) return { error: 'Invalid save parameters' };
  }
  return { value: words.map((w) => String(Number(w))).join(' ') };
}

export function parseSaveRules(value: string): SaveRule[] {
  const words = value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);
  const rules: SaveRule[] = [];
  for (let i = 0; i + 1 < words.length; i += 2) rules.push({ seconds: words[i]!, changes: words[i + 1]! });
  return rules;
}

/** True when some rule asks for a snapshot now. */
export function saveDue(rules: readonly SaveRule[], dirty: number, secondsSinceLastSave: number): boolean {
  return rules.some((r) => dirty >= r.changes && secondsSinceLastSave > r.seconds);
}
