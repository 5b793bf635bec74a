// A username suggestion made from a full name: "Jürgen Müller" -> "juergen".
// Pure (no I/O): which names are taken is passed in. The result always passes
// isValidUsername() of lib/shared/username-rule.ts, the one name rule the helper also uses.
import { isValidUsername, USERNAME_MAX_BYTES } from '../shared/username-rule';

/** German transliteration first (ä -> ae, not a), then a few letters NFKD does not split. */
const SPECIAL: Readonly<Record<string, string>> = Object.freeze({
  ä: 'ae',
  ö: 'oe',
  ü: 'ue',
  Ä: 'ae',
  Ö: 'oe',
  Ü: 'ue',
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  å: 'a',
  Å: 'a',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  ı: 'i',
});

/** When nothing usable is left of the full name (e.g. "Наташа"). */
export const FALLBACK_USERNAME = 'kid';

/**
 * Lower-case ASCII words of a full name: German umlauts transliterated, other
 * accents stripped (NFKD without combining marks), everything that is not
 * a-z or 0-9 a separator; hyphenated first names stay together ("anna-lena").
 */
export function nameWords(fullName: string): string[] {
  let s = '';
  for (const ch of fullName.normalize('NFC')) s += SPECIAL[ch] ?? ch;
  s = s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return s
    .split(/[^a-z0-9-]+/)
    .map((w) =>
      w
        .replace(/-+/g, '-')
        .replace(/^[-0-9]+/, '')
        .replace(/-+$/, ''),
    )
    .filter((w) => w.length > 0);
}

function clip(base: string, room: number): string {
  return base.slice(0, Math.max(1, room)).replace(/-+$/, '');
}

/** Candidates in order of preference; every one is a valid username. */
export function usernameCandidates(fullName: string, maxNumbered = 99): string[] {
  const words = nameWords(fullName);
  const first = clip(words[0] ?? FALLBACK_USERNAME, USERNAME_MAX_BYTES);
  const rest = words.slice(1).map((w) => w.replace(/-/g, ''));
  const last = rest.at(-1) ?? '';
  const out: string[] = [first];
  if (last) {
    out.push(clip(first, USERNAME_MAX_BYTES - 1) + last[0]); // juergenm
    if (last.length > 1) out.push(clip(first, USERNAME_MAX_BYTES - Math.min(last.length, 16)) + last.slice(0, 16)); // juergenmueller
  }
  for (let n = 2; n <= maxNumbered; n++) {
    const suffix = String(n);
    out.push(clip(first, USERNAME_MAX_BYTES - suffix.length) + suffix); // juergen2
  }
  return [...new Set(out)].filter(isValidUsername);
}

/**
 * The first free candidate. `isTaken` says whether a name is in use (an
 * account, a group or a home directory of that name). Returns null only when
 * all of about a hundred candidates are taken.
 */
export function suggestUsername(fullName: string, isTaken: (name: string) => boolean): string | null {
  for (const candidate of usernameCandidates(fullName)) if (!isTaken(candidate)) return candidate;
  return null;
}
