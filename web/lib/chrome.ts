// The chrome is the app's query now (src/app/chrome.ts); this name stays for the views that still import it here.
export type { PageChrome } from '../../src/app/index.js';
