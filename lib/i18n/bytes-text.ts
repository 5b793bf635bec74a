// Byte counts as people read them, in the page's language: decimal units (as disk
// makers and file managers count), one decimal below 10 of a unit. Pure.
const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

export function bytesText(bytes: number, locale: string): string {
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1000 && i < UNITS.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = i > 0 && value < 10 ? 1 : 0;
  return new Intl.NumberFormat(locale, { style: 'unit', unit: UNITS[i], unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
}
