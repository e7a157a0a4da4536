// C's %.<p>g for the number texts Lua scripts see (cjson's %.14g, struct and tostring parity).

/** Formats `d` as C's printf("%.<precision>g") does, with glibc's inf/nan spellings. */
export function formatG(d: number, precision: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return '-nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [mantissa, expText] = d.toExponential(precision - 1).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= precision) {
    return `${trimZeros(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return trimZeros(d.toFixed(Math.max(0, precision - 1 - exp)));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
