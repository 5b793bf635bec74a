// A page's query parameters as Next hands them over. Every value is checked by
// the page that reads it; a parameter given twice (?q=a&q=b) counts as absent.
export type SearchParams = Record<string, string | string[] | undefined>;

export function param(sp: SearchParams, key: string): string | undefined {
  const value = sp[key];
  return typeof value === 'string' ? value : undefined;
}

/** A positive whole number (page numbers, audit ids; at most 15 digits, so exact as a JS number), or undefined. */
export function positiveParam(sp: SearchParams, key: string): number | undefined {
  const value = param(sp, key);
  return value !== undefined && /^[1-9][0-9]{0,14}$/.test(value) ? Number(value) : undefined;
}
