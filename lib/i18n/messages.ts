// The message catalog: every piece of UI text, in English and German.
// German must have exactly the keys English has (the type enforces it), so a
// missing translation is a compile error, not a blank on the page.

export const en = {
  app: {
    title: 'Family JupyterHub panel',
    tagline: 'Manage who in your family may use JupyterHub.',
    skipToContent: 'Skip to content',
  },
  login: {
    heading: 'Sign in',
    intro: 'Sign in with your computer account. Only parents (members of the group jupyterhub_adm) can use this panel.',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    invalidCredentials: 'Username or password is wrong.',
    notFamilyAdmin: 'You are not a family admin. Ask a parent to add you to the group jupyterhub_adm.',
    accountUnavailable: 'This account is locked or expired. Ask an administrator to unlock it.',
    tooManyAttempts: 'Too many attempts. Please wait {seconds} seconds and try again.',
    invalidInput: 'Please enter a valid username (lower-case letters, digits, - and _).',
    genericError: 'Something went wrong. Please try again.',
  },
  nav: {
    signedInAs: 'Signed in as {name}',
    logout: 'Sign out',
  },
  home: {
    heading: 'Welcome, {name}',
  },
  errors: {
    notFound: 'This page does not exist.',
  },
} as const;

type Catalog<T> = { readonly [K in keyof T]: T[K] extends string ? string : Catalog<T[K]> };
export type Messages = Catalog<typeof en>;

export const de: Messages = {
  app: {
    title: 'Familien-JupyterHub-Verwaltung',
    tagline: 'Verwalten Sie, wer in Ihrer Familie JupyterHub nutzen darf.',
    skipToContent: 'Zum Inhalt springen',
  },
  login: {
    heading: 'Anmelden',
    intro: 'Melden Sie sich mit Ihrem Benutzerkonto an. Nur Eltern (Mitglieder der Gruppe jupyterhub_adm) können diese Verwaltung nutzen.',
    username: 'Benutzername',
    password: 'Passwort',
    submit: 'Anmelden',
    submitting: 'Anmeldung läuft…',
    invalidCredentials: 'Benutzername oder Passwort ist falsch.',
    notFamilyAdmin: 'Sie sind kein Familien-Admin. Bitten Sie ein Elternteil, Sie zur Gruppe jupyterhub_adm hinzuzufügen.',
    accountUnavailable: 'Dieses Konto ist gesperrt oder abgelaufen. Bitten Sie einen Administrator, es freizugeben.',
    tooManyAttempts: 'Zu viele Versuche. Bitte warten Sie {seconds} Sekunden und versuchen Sie es erneut.',
    invalidInput: 'Bitte geben Sie einen gültigen Benutzernamen ein (Kleinbuchstaben, Ziffern, - und _).',
    genericError: 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
  },
  nav: {
    signedInAs: 'Angemeldet als {name}',
    logout: 'Abmelden',
  },
  home: {
    heading: 'Willkommen, {name}',
  },
  errors: {
    notFound: 'Diese Seite gibt es nicht.',
  },
};

export const catalogs = { en, de } as const;
export type Locale = keyof typeof catalogs;
export const locales = Object.keys(catalogs) as Locale[];
export const defaultLocale: Locale = 'en';

/** Fills `{name}` placeholders. Unknown placeholders stay visible so they get noticed. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole,
  );
}
