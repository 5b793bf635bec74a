import { Fragment } from 'react';
import type { Messages } from '@/lib/i18n/messages';
import { format } from '@/lib/i18n/messages';
import type { CardAddress, LoginCardFacts } from '@/lib/family/login-card';

type CardText = Messages['card'];

/** The fingerprint in lines of 8 bytes; the text stays the exact colon-separated string. */
function Fingerprint({ value }: { value: string }) {
  const bytes = value.split(':');
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) lines.push(bytes.slice(i, i + 8).join(':'));
  return (
    <>
      {lines.map((line, i) => (
        <Fragment key={i}>
          {line}
          {i < lines.length - 1 ? (
            <>
              :<wbr />
            </>
          ) : null}
        </Fragment>
      ))}
    </>
  );
}

function NotInCertificate({ a, t }: { a: CardAddress; t: CardText }) {
  return a.inCertificate === false ? <span className="block font-sans text-sm text-stone-800 print:text-black"> {t.notInCertificate}</span> : null;
}

/**
 * The printable card: where to go, how to check the certificate, how to sign in.
 * No hooks, so the server page and the onboarding result (a client component,
 * with the password just set) both render it. The print style (app/globals.css)
 * prints this element alone.
 */
export function LoginCard({
  facts,
  username,
  name,
  password,
  t,
}: {
  facts: LoginCardFacts;
  username: string;
  name: string;
  /** Only right after onboarding; the panel never stores it. */
  password?: string;
  t: CardText;
}) {
  const [primary, ...others] = facts.addresses;
  const cert = facts.certificate;
  const titleId = `login-card-${username}`;
  return (
    <section
      aria-labelledby={titleId}
      data-testid="login-card"
      className="login-card mt-4 rounded-lg border-2 border-stone-800 bg-white p-5 text-stone-900 print:border-black print:text-black"
    >
      <h2 id={titleId} className="text-2xl font-semibold">
        {format(t.title, { name })}
      </h2>
      <ol className="mt-3 list-decimal space-y-4 pl-5">
        <li>
          <p>{t.stepOpen}</p>
          {primary ? (
            <p className="mt-1 break-all font-mono text-xl font-semibold" data-testid="hub-address">
              {primary.url}
              <NotInCertificate a={primary} t={t} />
            </p>
          ) : null}
          {others.length > 0 ? (
            <>
              <p className="mt-2 text-sm">{t.otherAddresses}</p>
              <ul className="mt-1 space-y-1" data-testid="other-addresses">
                {others.map((a) => (
                  <li key={a.host} className="break-all font-mono" data-in-certificate={String(a.inCertificate)}>
                    {a.url}
                    <NotInCertificate a={a} t={t} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {facts.onlyThisMachine ? (
            <p className="mt-2 text-sm" data-testid="only-this-machine">
              {t.onlyThisMachine}
            </p>
          ) : null}
          {facts.hubKind === 'none' ? (
            <p className="mt-2 text-sm font-medium" data-testid="no-hub">
              {t.noHub}
            </p>
          ) : null}
        </li>
        <li>
          {!facts.https ? (
            <p>{t.notHttps}</p>
          ) : (
            <>
              <p>{t.stepCertificate}</p>
              {cert.ok ? (
                <>
                  <p className="mt-2 text-sm font-medium">{t.fingerprint}</p>
                  <p className="font-mono text-base leading-relaxed" data-testid="fingerprint">
                    <Fingerprint value={cert.fingerprint256} />
                  </p>
                  <p className="mt-1 text-sm" data-testid="certificate-validity">
                    {format(cert.expired ? t.certExpired : t.validUntil, { date: cert.validTo.slice(0, 10) })}
                  </p>
                </>
              ) : (
                <p className="mt-2 rounded border border-red-700 px-3 py-2 text-sm font-medium text-red-900 print:text-black" role="note" data-testid="certificate-problem">
                  {format(t.certProblems[cert.problem], { path: cert.path })}
                </p>
              )}
            </>
          )}
        </li>
        <li>
          <p>{t.stepSignIn}</p>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt className="font-medium">{t.username}</dt>
            <dd className="break-all font-mono text-xl" data-testid="kid-username">
              {username}
            </dd>
            <dt className="font-medium">{t.password}</dt>
            {password !== undefined ? (
              <dd className="break-all font-mono text-xl" data-testid="kid-password">
                {password}
              </dd>
            ) : (
              <dd data-testid="kid-password-not-shown">{t.passwordNotShown}</dd>
            )}
          </dl>
        </li>
      </ol>
    </section>
  );
}
