import type { Context as HonoContext } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'switchyard_session';

/**
 * Secure when the browser reached us over TLS: directly (an https URL) or
 * through a proxy that says so. Trusting the header can only add the flag,
 * never remove it, so a forged header does no harm.
 */
export function isHttps(c: HonoContext): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https';
}

export function readSessionCookie(c: HonoContext): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function setSessionCookie(c: HonoContext, id: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c),
    path: '/',
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: HonoContext): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', secure: isHttps(c), path: '/' });
}

/** Set by app.js (not HttpOnly: the browser writes it) so that pages show times in the browser's zone. */
export const ZONE_COOKIE = 'switchyard_tz';

export function readZoneCookie(c: HonoContext): string | undefined {
  return getCookie(c, ZONE_COOKIE);
}
