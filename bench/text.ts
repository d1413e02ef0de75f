/**
 * The free text of the benchmarks' service requests, as SQL expressions drawn
 * anew for every row. What a clerk types is partly boilerplate (a few stock
 * openings and sentences) and partly specifics: times, dates, plates, names,
 * counts, distances, work-order numbers.
 *
 * Why the specifics: text built from stock sentences alone is a phrase book,
 * not prose. On 200k such rows, gzip -6 reached 6.5:1 and zstd -3 made a file
 * 7% larger than gzip's, where on English prose (Debian's documentation, 18 MB)
 * zstd -3 is 16% smaller than gzip -6. With half the sentences carrying
 * specifics the same rows compress 5.4:1 and zstd -3 is within 1% of gzip.
 */

const sqlArray = (items: readonly string[]) => `ARRAY[${items.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')}]`;

/** One element of `items`, drawn per row. */
export const pick = (items: readonly string[]) => `(${sqlArray(items)})[1 + floor(random() * ${items.length})::int]`;

/** An integer in [from, to], drawn per row, as text. */
const int = (from: number, to: number) => `(${from} + floor(random() * ${to - from + 1}))::int::text`;
const digits = (n: number) => `lpad(floor(random() * ${10 ** n})::bigint::text, ${n}, '0')`;
const letter = `chr(65 + floor(random() * 26)::int)`;

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const COLORS = ['white', 'black', 'silver', 'gray', 'red', 'blue', 'green', 'tan', 'maroon', 'gold', 'brown', 'orange'];
const MAKES = [
  'Toyota',
  'Honda',
  'Ford',
  'Chevy',
  'Nissan',
  'Hyundai',
  'Kia',
  'Subaru',
  'Jeep',
  'Dodge',
  'Mazda',
  'VW',
  'BMW',
  'Buick',
  'GMC',
];
const FIRST = [
  'Maria',
  'James',
  'Linda',
  'Robert',
  'Patricia',
  'Michael',
  'Jennifer',
  'David',
  'Aisha',
  'Wei',
  'Carlos',
  'Fatima',
  'Olga',
  'Tomasz',
  'Nguyen',
  'Keisha',
  'Dmitri',
  'Priya',
  'Jamal',
  'Rosa',
  'Ahmed',
  'Grace',
  'Luis',
  'Hannah',
];
const LAST = [
  'Garcia',
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Nowak',
  'Kowalski',
  'Okafor',
  'Chen',
  'Patel',
  'Kim',
  'Haddad',
  'Ivanova',
  'Murphy',
  'Rossi',
  'Schmidt',
  'Tran',
  'Lopez',
  'Walker',
];
const ADJECTIVES = [
  'cracked',
  'rusty',
  'leaning',
  'broken',
  'loose',
  'flooded',
  'overflowing',
  'bent',
  'missing',
  'sagging',
  'burnt',
  'uneven',
  'blocked',
  'damaged',
  'faded',
  'collapsed',
];
const NOUNS = [
  'curb',
  'fence',
  'manhole cover',
  'fire hydrant',
  'bus shelter',
  'bench',
  'guardrail',
  'utility pole',
  'catch basin',
  'parking meter',
  'mailbox',
  'street sign',
  'crosswalk',
  'driveway apron',
  'planter',
  'bike rack',
  'retaining wall',
  'alley gate',
];
const STATES = [
  'getting worse',
  'a hazard after dark',
  'blocking the path',
  'leaking onto the road',
  'about to fall over',
  'covered in graffiti again',
  'partly fixed',
  'marked but not repaired',
];
const SIDES = ['north', 'south', 'east', 'west'];
export const DEPARTMENTS = ['Public Works', 'Transportation', 'Sanitation', 'Parks', 'Water', 'Health', 'Police'];

const time = `${int(1, 12)} || ':' || ${digits(2)} || ${pick([' am', ' pm'])}`;
const date = `${pick(MONTHS)} || ' ' || ${int(1, 28)}`;

/** Sentences with specifics in them: each a SQL text expression. */
function specificSentences(streets: readonly string[], suffixes: readonly string[]): string[] {
  return [
    `'Seen around ' || ${time} || ' on ' || ${pick(WEEKDAYS)} || '.'`,
    `'A ' || ${pick(COLORS)} || ' ' || ${pick(MAKES)} || ' with plate ' || ${letter} || ${letter} || ${letter} || '-' || ${digits(4)} || ' has been there since ' || ${date} || '.'`,
    `'Caller ' || ${pick(FIRST)} || ' ' || ${pick(LAST)} || ' in unit ' || ${int(1, 40)} || ${pick(['A', 'B', 'C', ''])} || ' can be reached at 555-' || ${digits(4)} || '.'`,
    `'About ' || ${int(5, 400)} || ' feet from the corner of ' || ${pick(streets)} || ' ' || ${pick(suffixes)} || ' and ' || ${pick(streets)} || '.'`,
    `'Reported ' || ${int(2, 9)} || ' times since ' || ${date} || '; request SR-' || ${digits(7)} || ' was closed without a visit.'`,
    `'The ' || ${pick(ADJECTIVES)} || ' ' || ${pick(NOUNS)} || ' next to the ' || ${pick(NOUNS)} || ' is ' || ${pick(STATES)} || '.'`,
    `'Roughly ' || ${int(2, 30)} || ' households on the ' || ${pick(SIDES)} || ' side of the block are affected.'`,
    `'Inspector ' || ${pick(LAST)} || ' noted ' || ${pick(ADJECTIVES)} || ' ' || ${pick(NOUNS)} || ' on ' || ${pick(WEEKDAYS)} || ' ' || ${date} || '.'`,
    `'Work order WO-' || ${digits(7)} || ' was opened by ' || ${pick(DEPARTMENTS)} || ' at ' || ${time} || '.'`,
    `'It is about ' || ${int(4, 60)} || ' by ' || ${int(4, 60)} || ' inches and ' || ${int(1, 14)} || ' inches deep.'`,
    `${pick(FIRST)} || ' from the ' || ${pick(['block club', 'school', 'church', 'clinic', 'library', 'laundromat', 'corner store'])} || ' says it has been like this for ' || ${int(2, 11)} || ' ' || ${pick(['days', 'weeks', 'months'])} || '.'`,
  ];
}

/**
 * One sentence per call, drawn per row: a stock sentence (`stock`, as a clerk
 * pastes it) or one with specifics, about half and half.
 */
export function sentenceSql(stock: readonly string[], streets: readonly string[], suffixes: readonly string[]): string {
  const specific = specificSentences(streets, suffixes);
  const branches = specific.map((sql, i) => `WHEN ${i} THEN ${sql}`).join(' ');
  return `(CASE floor(random() * ${specific.length * 2})::int ${branches} ELSE ${pick(stock)} END)`;
}
