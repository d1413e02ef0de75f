/**
 * What a terminal would act on rather than show: C0 controls (ESC starts a colour, a title change, a
 * cursor move; CR overwrites the line), DEL, C1 controls (U+009B is a CSI on its own), the line and
 * paragraph separators, and the bidirectional overrides and isolates that reorder what is shown.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is this pattern's purpose
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is this pattern's purpose
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const visible = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text for a terminal, whatever it holds (a commit subject, an author, a release's name and notes, a ref
 * name, a tool's error): every control character written as a `\uXXXX` escape, which is also how JSON
 * writes it, so a JSON answer stays valid JSON. `lines` keeps newlines and tabs (a report, a tag
 * message); a table cell or a one-line error gets none.
 */
export function terminalText(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(options.lines ? CONTROLS_BUT_LINES : CONTROLS, visible);
}
