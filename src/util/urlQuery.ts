/**
 * The parameters of a URL's query as libpq reads them: `name=value` pairs split on "&", each side
 * percent-decoded and nothing else ("+" stays "+", unlike a form's URLSearchParams). `raw` is the
 * value as written, for masking the text it appears in. A malformed escape throws URIError.
 */
export function queryParameters(search: string): { name: string; value: string; raw: string }[] {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (query === '') return [];
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      const raw = eq < 0 ? '' : pair.slice(eq + 1);
      return { name: decodeURIComponent(rawName), value: decodeURIComponent(raw), raw };
    });
}
