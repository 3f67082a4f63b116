// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Control characters have no business in names, subjects or identities, and can break logs and XML. */
export function hasControlCharacters(s: string): boolean {
  return CONTROL.test(s);
}

/** Control characters or the XML metacharacters < > & " (refused before anything reaches a device). */
export function hasUnsafeText(s: string): boolean {
  return CONTROL.test(s) || /[<>&"]/.test(s);
}
