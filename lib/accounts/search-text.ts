// Text folded for searching names: lower case, accents dropped ("Jürgen" is found
// by "jurgen" and by "Jürgen"), "ß" as "ss", runs of space as one. Pure, so the
// server's search and a test fixture fold the same way.
const COMBINING_MARKS = /[\u0300-\u036f]/g;

export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(/ß/g, 'ss').replace(/\s+/g, ' ').trim();
}
