/**
 * Subscription globs (filter expressions and `eventTypes`), matched in time linear in the input.
 *
 * Tenants write these patterns and delivery runs them against every event on one shared event
 * loop, so whatever the pattern and the input, a match must cost a bounded amount per character:
 * a backtracking regular expression (what picomatch compiles to) can take minutes on `*a*a*a…b`.
 * Here a pattern is compiled into Glushkov's automaton (one state per character test of the
 * pattern), run over the input one character at a time with the set of live states held in bit
 * vectors: a step costs `Glob.cost` word operations, at most `GlobLimits.maxCost`. The sets met
 * are cached as a lazy DFA, so a warm matcher does one table look-up per character; when the
 * cache is full the rest of an input runs uncached. Nothing backtracks.
 *
 * Syntax (case-sensitive; `/` separates segments, as in picomatch's file-path globs):
 * - `*` any run of characters but `/` (also none); `?` one character but `/`
 * - `**` alone in a segment (`**`, `a/**`, `**\/b`, `a/**\/b`): any run of segments; elsewhere `*`
 * - `[abc]`, `[a-z]`, `[!a-z]` or `[^a-z]` (not these), `[[:alpha:]]` (POSIX classes); a class
 *   never matches `/`; `]` first in a class is literal
 * - `{a,b,c}` any of the alternatives (nestable); `{1..12}`, `{01..12}`, `{a..f}` a range
 * - `@(a|b)` one of, `?(a|b)` at most one, `*(a|b)` any number, `+(a|b)` at least one of
 * - a leading `!` negates the whole pattern (`!draft`); `\` makes the next character literal
 * - anything else matches itself, including `(`, `)`, `|`, `+`, `@` and `,` outside braces
 *
 * Not supported: negated groups `!(a|b)` (running one would mean complementing an automaton,
 * which can grow exponentially); they are refused, like unbalanced `[`, `]`, `{`, `}` and groups
 * left open. Picomatch's path quirks (`*` never matching `.` or `..`, a trailing `/` allowed) are
 * not kept: filter values are names, not paths.
 */

/** Limits a pattern must stay within; each bounds the size of the automaton it compiles to. */
export interface GlobLimits {
  /** Characters in the pattern. */
  readonly maxLength: number;
  /** Unescaped `*` outside classes (`**` counts two, `*(…)` one). */
  readonly maxWildcards: number;
  /** Values one `{x..y}` range may list. */
  readonly maxRangeValues: number;
  /** Braces and groups inside one another. */
  readonly maxDepth: number;
  /** Character tests of the automaton (one per literal, `?`, class or `*`, more for ranges). */
  readonly maxPositions: number;
  /**
   * Word operations matching may take per input character (`Glob.cost`): about one per 32
   * positions for each way positions follow one another (next, after a `*`, repeating, …) and
   * one or two for each fan-out or fan-in of braces, ranges and groups.
   */
  readonly maxCost: number;
}

/** What a subscription may register. */
export const GLOB_LIMITS: GlobLimits = {
  maxLength: 256,
  maxWildcards: 16,
  maxRangeValues: 64,
  maxDepth: 8,
  maxPositions: 256,
  maxCost: 64,
};

/** Why a pattern cannot be compiled: bad `syntax`, or over a `limit`. */
export class GlobError extends Error {
  constructor(
    readonly kind: 'syntax' | 'limit',
    message: string,
  ) {
    super(message);
    this.name = 'GlobError';
  }
}

// ---------------------------------------------------------------------------------------------
// Character sets: sorted, disjoint, inclusive ranges of UTF-16 code units, flattened [lo, hi, …].

type CharSet = readonly number[];

const MAX_UNIT = 0xffff;
const SLASH = 0x2f;
const ANY: CharSet = [0, MAX_UNIT];
const NOT_SLASH: CharSet = [0, SLASH - 1, SLASH + 1, MAX_UNIT];

function normalize(ranges: [number, number][]): number[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of ranges) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(set: CharSet): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! > next) out.push(next, set[i]! - 1);
    next = set[i + 1]! + 1;
  }
  if (next <= MAX_UNIT) out.push(next, MAX_UNIT);
  return out;
}

function intersect(a: CharSet, b: CharSet): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

function contains(set: CharSet, unit: number): boolean {
  let lo = 0;
  let hi = set.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (unit < set[mid * 2]!) hi = mid - 1;
    else if (unit > set[mid * 2 + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

const code = (c: string) => c.charCodeAt(0);
const POSIX_CLASSES: Record<string, [number, number][]> = {
  alnum: [
    [code('0'), code('9')],
    [code('A'), code('Z')],
    [code('a'), code('z')],
  ],
  alpha: [
    [code('A'), code('Z')],
    [code('a'), code('z')],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[code('0'), code('9')]],
  graph: [[0x21, 0x7e]],
  lower: [[code('a'), code('z')]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[code('A'), code('Z')]],
  word: [
    [code('0'), code('9')],
    [code('A'), code('Z')],
    [code('_'), code('_')],
    [code('a'), code('z')],
  ],
  xdigit: [
    [code('0'), code('9')],
    [code('A'), code('F')],
    [code('a'), code('f')],
  ],
};

// ---------------------------------------------------------------------------------------------
// Parsing: pattern text to a syntax tree.

type Node =
  | { readonly kind: 'chars'; readonly set: CharSet }
  | { readonly kind: 'seq'; readonly items: readonly Node[] }
  | { readonly kind: 'alt'; readonly items: readonly Node[] }
  | { readonly kind: 'repeat'; readonly item: Node; readonly min: 0 | 1; readonly many: boolean };

const literal = (unit: number): Node => ({ kind: 'chars', set: [unit, unit] });
const literalText = (text: string): Node => ({
  kind: 'seq',
  items: Array.from({ length: text.length }, (_, k) => literal(text.charCodeAt(k))),
});
const starOf = (set: CharSet): Node => ({
  kind: 'repeat',
  item: { kind: 'chars', set },
  min: 0,
  many: true,
});
const optional = (item: Node): Node => ({ kind: 'repeat', item, min: 0, many: false });

const RANGE_NUMBERS = /^(-?\d+)\.\.(-?\d+)$/;
const RANGE_LETTERS = /^([A-Za-z])\.\.([A-Za-z])$/;

class Parser {
  private i = 0;
  private depth = 0;
  private bodyStart = 0;
  wildcards = 0;
  negated = false;
  /** True while the pattern has met nothing but literal characters. */
  literalOnly = true;

  constructor(
    private readonly src: string,
    private readonly limits: GlobLimits,
  ) {}

  parse(): Node {
    const { src } = this;
    while (src[this.i] === '!' && src[this.i + 1] !== '(') {
      this.negated = !this.negated;
      this.literalOnly = false;
      this.i++;
    }
    this.bodyStart = this.i;
    const body = this.sequence('');
    if (this.wildcards > this.limits.maxWildcards) {
      throw new GlobError(
        'limit',
        `must have at most ${this.limits.maxWildcards} "*" wildcards (it has ${this.wildcards})`,
      );
    }
    return body;
  }

  private syntax(message: string): never {
    throw new GlobError('syntax', message);
  }

  private enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      throw new GlobError(
        'limit',
        `must not nest braces or groups more than ${this.limits.maxDepth} deep`,
      );
    }
  }

  /** Items up to the end or, unnested, one of `stops` (left for the caller to consume). */
  private sequence(stops: string): Node {
    const { src } = this;
    const items: Node[] = [];
    while (this.i < src.length) {
      const c = src[this.i]!;
      const next = src[this.i + 1];
      if (stops.includes(c)) break;
      if (next === '(' && '@?*+!'.includes(c)) {
        items.push(this.group(c));
        continue;
      }
      if (c === ']') this.syntax('Missing opening: "["');
      if (c === '}') this.syntax('Missing opening: "{"');
      if (c === '\\') {
        if (next === undefined) this.syntax('it ends with an unfinished escape "\\"');
        items.push(literal(src.charCodeAt(this.i + 1)));
        this.i += 2;
      } else if (c === '*') {
        this.stars(items);
      } else if (c === '?') {
        this.literalOnly = false;
        items.push({ kind: 'chars', set: NOT_SLASH });
        this.i++;
      } else if (c === '[') {
        items.push(this.charClass());
      } else if (c === '{') {
        items.push(this.braces());
      } else {
        items.push(literal(src.charCodeAt(this.i)));
        this.i++;
      }
    }
    return { kind: 'seq', items };
  }

  /** A run of `*`: a globstar when it is a whole segment outside braces and groups. */
  private stars(items: Node[]): void {
    const { src } = this;
    this.literalOnly = false;
    let end = this.i;
    while (src[end] === '*' && src[end + 1] !== '(') end++;
    const run = end - this.i;
    this.wildcards += run;
    const segmentStart = this.i === this.bodyStart || src[this.i - 1] === '/';
    const segmentEnd = end === src.length || src[end] === '/';
    this.i = end;
    if (run < 2 || !segmentStart || !segmentEnd || this.depth > 0) {
      items.push(starOf(NOT_SLASH));
      return;
    }
    const anything = starOf(ANY);
    if (end === src.length) {
      const last = items[items.length - 1];
      if (last?.kind === 'chars' && last.set.length === 2 && last.set[0] === SLASH) {
        items.pop(); // `a/**`: `a`, or `a/` and anything
        items.push(optional({ kind: 'seq', items: [literal(SLASH), anything] }));
      } else {
        items.push(anything); // `**`: everything
      }
    } else {
      this.i++; // `**/b`, `a/**/b`: no segments, or any segments each ending in `/`
      items.push(optional({ kind: 'seq', items: [anything, literal(SLASH)] }));
    }
  }

  /** `[…]` at `this.i`: one character of (or, negated, not of) the class; never `/`. */
  private charClass(): Node {
    const { src } = this;
    const open = this.i;
    this.literalOnly = false;
    let i = open + 1;
    let negate = false;
    if (src[i] === '!' || src[i] === '^') {
      negate = true;
      i++;
    }
    const ranges: [number, number][] = [];
    let first = true;
    for (;;) {
      if (i >= src.length) this.syntax('Missing closing: "]"');
      const c = src[i]!;
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && src[i + 1] === ':') {
        const close = src.indexOf(':]', i + 2);
        const name = close < 0 ? undefined : src.slice(i + 2, close);
        const posix = name === undefined ? undefined : POSIX_CLASSES[name];
        if (posix) {
          ranges.push(...posix);
          i = close + 2;
          continue;
        }
      }
      let lo: number;
      if (c === '\\') {
        if (i + 1 >= src.length) this.syntax('it ends with an unfinished escape "\\"');
        lo = src.charCodeAt(i + 1);
        i += 2;
      } else {
        lo = src.charCodeAt(i);
        i++;
      }
      if (src[i] === '-' && i + 1 < src.length && src[i + 1] !== ']') {
        let hi: number;
        if (src[i + 1] === '\\') {
          if (i + 2 >= src.length) this.syntax('it ends with an unfinished escape "\\"');
          hi = src.charCodeAt(i + 2);
          i += 3;
        } else {
          hi = src.charCodeAt(i + 1);
          i += 2;
        }
        if (hi < lo) {
          this.syntax(
            `the range "${String.fromCharCode(lo)}-${String.fromCharCode(hi)}" is reversed`,
          );
        }
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    this.i = i + 1;
    const set = normalize(ranges);
    return { kind: 'chars', set: intersect(negate ? complement(set) : set, NOT_SLASH) };
  }

  /** `{…}` at `this.i`: alternatives, a range, or (no comma, no range) literal braces. */
  private braces(): Node {
    const { src } = this;
    const open = this.i;
    this.enter();
    this.i++;
    const alternatives: Node[] = [];
    for (;;) {
      alternatives.push(this.sequence(',}'));
      if (this.i >= src.length) this.syntax('Missing closing: "}"');
      if (src[this.i++] === '}') break;
    }
    this.depth--;
    const content = src.slice(open + 1, this.i - 1);
    if (alternatives.length > 1) {
      this.literalOnly = false;
      return { kind: 'alt', items: alternatives };
    }
    const range = this.range(content);
    if (range) {
      this.literalOnly = false;
      return range;
    }
    return { kind: 'seq', items: [literal(code('{')), alternatives[0]!, literal(code('}'))] };
  }

  private range(content: string): Node | null {
    const numbers = RANGE_NUMBERS.exec(content);
    const letters = numbers ? null : RANGE_LETTERS.exec(content);
    if (!numbers && !letters) return null;
    const [from, to] = numbers
      ? [Number(numbers[1]), Number(numbers[2])]
      : [code(letters![1]!), code(letters![2]!)];
    const count = Math.abs(to - from) + 1;
    if (!Number.isSafeInteger(count) || count > this.limits.maxRangeValues) {
      throw new GlobError(
        'limit',
        `a range must list at most ${this.limits.maxRangeValues} values ("{${content}}" lists ${count})`,
      );
    }
    const padded = numbers && (/^-?0\d/.test(numbers[1]!) || /^-?0\d/.test(numbers[2]!));
    const width = padded ? Math.max(numbers[1]!.length, numbers[2]!.length) : 0;
    const step = from <= to ? 1 : -1;
    const values: Node[] = [];
    for (let v = from; ; v += step) {
      const text = numbers
        ? (v < 0 ? '-' : '') + String(Math.abs(v)).padStart(width - (v < 0 ? 1 : 0), '0')
        : String.fromCharCode(v);
      values.push(literalText(text));
      if (v === to) break;
    }
    return { kind: 'alt', items: values };
  }

  /** `@(…)`, `?(…)`, `*(…)`, `+(…)` at `this.i`: alternatives separated by `|`. */
  private group(kind: string): Node {
    const { src } = this;
    if (kind === '!') {
      this.syntax(
        'negated groups "!(…)" are not supported; a leading "!" negates the whole pattern',
      );
    }
    if (kind === '*') this.wildcards++;
    this.literalOnly = false;
    this.enter();
    this.i += 2;
    const alternatives: Node[] = [];
    for (;;) {
      alternatives.push(this.sequence('|)'));
      if (this.i >= src.length) this.syntax('Missing closing: ")"');
      if (src[this.i++] === ')') break;
    }
    this.depth--;
    const item: Node =
      alternatives.length === 1 ? alternatives[0]! : { kind: 'alt', items: alternatives };
    switch (kind) {
      case '?':
        return optional(item);
      case '*':
        return { kind: 'repeat', item, min: 0, many: true };
      case '+':
        return { kind: 'repeat', item, min: 1, many: true };
      default:
        return item;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The automaton: Glushkov's, one state per character test of the pattern, run as bit vectors.
//
// Position 0 is the start; positions 1..m are the pattern's character tests (a literal, `?`, a
// class, or the character a `*` repeats), numbered left to right. Having read some input, the
// matcher is in a set of positions; reading one more character moves it to the positions that may
// follow one of them and whose test accepts the character. A set is a vector of bits. Most follow
// edges move by an offset many share (to the next test, past a `*` that matched nothing, a `*`
// repeating, a repeated brace): each such offset is one shift of the vector. The few left (into
// and out of braces, ranges and groups) are jumps: when a source is live, add the targets.

interface Info {
  readonly nullable: boolean;
  readonly first: readonly number[];
  readonly last: readonly number[];
}

class Positions {
  /** The character test of each position; position 0 (the start) has none. */
  readonly sets: CharSet[] = [[]];
  /** The positions that may come after each position. */
  readonly follow: Set<number>[] = [new Set()];

  constructor(private readonly maxPositions: number) {}

  get count(): number {
    return this.sets.length - 1;
  }

  /** Numbers the tests of `node`, records their follow edges, and says how `node` starts and ends. */
  analyse(node: Node): Info {
    switch (node.kind) {
      case 'chars': {
        const p = this.sets.length;
        if (p > this.maxPositions) {
          throw new GlobError(
            'limit',
            `is too complex (more than ${this.maxPositions} character tests once its braces and ranges are counted)`,
          );
        }
        this.sets.push(node.set);
        this.follow.push(new Set());
        return { nullable: false, first: [p], last: [p] };
      }
      case 'seq': {
        let nullable = true;
        let first: number[] = [];
        let ends: number[] = []; // where what came so far may end: followed by the next item
        for (const item of node.items) {
          const info = this.analyse(item);
          this.link(ends, info.first);
          if (nullable) first = first.concat(info.first);
          ends = info.nullable ? ends.concat(info.last) : [...info.last];
          nullable &&= info.nullable;
        }
        return { nullable, first, last: ends };
      }
      case 'alt': {
        const infos = node.items.map((item) => this.analyse(item));
        return {
          nullable: infos.some((i) => i.nullable),
          first: infos.flatMap((i) => i.first),
          last: infos.flatMap((i) => i.last),
        };
      }
      case 'repeat': {
        const info = this.analyse(node.item);
        if (node.many) this.link(info.last, info.first);
        return { nullable: node.min === 0 || info.nullable, first: info.first, last: info.last };
      }
    }
  }

  link(from: readonly number[], to: readonly number[]): void {
    for (const p of from) for (const q of to) this.follow[p]!.add(q);
  }
}

/** Transitions the DFA of one pattern may cache (4 bytes each); past it, matching runs uncached. */
const DFA_TABLE_ENTRIES = 4096;
const UNKNOWN = -1;
const FULL = -2;
const DEAD = 0;
const START = 1;

/** A compiled pattern. `test` costs a few operations per character and per 32 positions. */
export interface Glob {
  readonly pattern: string;
  /** The text the pattern stands for when it has no wildcards, classes, braces or negation. */
  readonly literal: string | null;
  /** Character tests (positions) of the automaton. */
  readonly positions: number;
  /** Word operations `test` takes per input character (besides reading it): its cost bound. */
  readonly cost: number;
  /**
   * Bit-parallel steps taken so far, over every `test`: at most one per character read, whatever
   * the pattern, so a match costs at most `cost` word operations a character.
   */
  readonly steps: number;
  test(value: string): boolean;
}

class CompiledGlob implements Glob {
  readonly positions: number;
  readonly cost: number;
  steps = 0;
  /** Words per set of positions. */
  private readonly words: number;
  /** Shift s moves the live positions of masks[s] by offsets[s] (0 keeps them: a `*` repeating). */
  private readonly shifts: number;
  private readonly offsets: Int32Array;
  private readonly masks: Int32Array;
  /** Per shift, the first and last word its mask has bits in. */
  private readonly maskSpans: Int32Array;
  /** Jump j adds targets[j] when a position of sources[j] is live (fan-outs, fan-ins). */
  private readonly jumps: number;
  private readonly sources: Int32Array;
  private readonly targets: Int32Array;
  /** Per jump, the first and last word of its sources, then of its targets. */
  private readonly jumpSpans: Int32Array;
  private readonly accepting: Int32Array;
  /** Characters fall in classes every test treats alike: the positions accepting each class. */
  private readonly accepts: Int32Array;
  private readonly asciiClass: Uint16Array;
  /** Above ASCII: bounds[i] starts the run of code units whose class is boundClass[i]. */
  private readonly bounds: Int32Array;
  private readonly boundClass: Uint16Array;
  private readonly current: Int32Array;
  private readonly next: Int32Array;
  /**
   * The DFA met so far: state d stands for the set of positions stateSets[d * words …]; its
   * successor on class k is table[d * classes + k] (UNKNOWN until first met).
   */
  private readonly classes: number;
  private readonly maxStates: number;
  private count = 0;
  private table = new Int32Array(0);
  private stateSets = new Int32Array(0);
  private acceptingStates = new Uint8Array(0);
  private readonly index = new Map<string, number>();

  constructor(
    readonly pattern: string,
    readonly literal: string | null,
    private readonly negated: boolean,
    graph: Positions,
    info: Info,
    maxCost: number,
  ) {
    const words = Math.ceil(graph.sets.length / 32);
    const vector = (bits: Iterable<number>, into: Int32Array = new Int32Array(words), at = 0) => {
      for (const b of bits) into[at + (b >>> 5)]! |= 1 << (b & 31);
      return into;
    };
    const span = (bits: readonly number[]) => [Math.min(...bits) >>> 5, Math.max(...bits) >>> 5];
    this.positions = graph.count;
    this.words = words;

    // Follow edges by offset: the offsets 0, 1 and 2 (a `*` repeating, the next test, the test
    // after a `*` that matched nothing), and any other under 32 that enough edges share (a
    // repeated structure), become shifts of the set; the rest, grouped by their targets, jumps.
    graph.follow[0] = new Set(info.first);
    const byOffset = new Map<number, number[]>();
    graph.follow.forEach((follow, p) => {
      for (const q of follow) {
        const from = byOffset.get(q - p);
        if (from) from.push(p);
        else byOffset.set(q - p, [p]);
      }
    });
    const shifts: [number, number[]][] = [];
    const rest = new Map<number, number[]>();
    for (const [offset, from] of [...byOffset].sort((a, b) => a[0] - b[0])) {
      const [lo, hi] = span(from);
      const shared = from.length >= Math.max(3, hi! - lo! + 1);
      if (Math.abs(offset) < 32 && ((offset >= 0 && offset <= 2) || shared)) {
        shifts.push([offset, from]);
      } else {
        for (const p of from) {
          const targets = rest.get(p);
          if (targets) targets.push(p + offset);
          else rest.set(p, [p + offset]);
        }
      }
    }
    const jumps = new Map<string, { sources: number[]; targets: number[] }>();
    for (const [p, targets] of rest) {
      const key = targets.sort((a, b) => a - b).join(',');
      const jump = jumps.get(key) ?? { sources: [], targets };
      jump.sources.push(p);
      jumps.set(key, jump);
    }

    this.shifts = shifts.length;
    this.offsets = Int32Array.from(shifts, ([offset]) => offset);
    this.masks = new Int32Array(shifts.length * words);
    this.maskSpans = new Int32Array(shifts.length * 2);
    shifts.forEach(([, from], s) => {
      vector(from, this.masks, s * words);
      this.maskSpans.set(span(from), s * 2);
    });
    this.jumps = jumps.size;
    this.sources = new Int32Array(jumps.size * words);
    this.targets = new Int32Array(jumps.size * words);
    this.jumpSpans = new Int32Array(jumps.size * 4);
    [...jumps.values()].forEach((jump, j) => {
      vector(jump.sources, this.sources, j * words);
      vector(jump.targets, this.targets, j * words);
      this.jumpSpans.set([...span(jump.sources), ...span(jump.targets)], j * 4);
    });
    this.accepting = vector(info.nullable ? [0, ...info.last] : info.last);

    let cost = 2 * words; // clearing the next set, and keeping what the character allows
    for (let s = 0; s < this.shifts; s++) {
      cost += this.maskSpans[s * 2 + 1]! - this.maskSpans[s * 2]! + 1;
    }
    for (let j = 0; j < this.jumps; j++) {
      const at = j * 4;
      cost += this.jumpSpans[at + 1]! - this.jumpSpans[at]! + 1;
      cost += this.jumpSpans[at + 3]! - this.jumpSpans[at + 2]! + 1;
    }
    this.cost = cost;
    if (cost > maxCost) {
      throw new GlobError(
        'limit',
        `is too complex (its braces, ranges and groups would cost ${cost} steps a character; at most ${maxCost})`,
      );
    }

    // Split the code units where some test changes its answer, and merge runs treated alike.
    const points = new Set<number>([0]);
    for (const set of graph.sets) {
      for (let k = 0; k < set.length; k += 2) {
        points.add(set[k]!);
        if (set[k + 1]! < MAX_UNIT) points.add(set[k + 1]! + 1);
      }
    }
    this.bounds = Int32Array.from([...points].sort((a, b) => a - b));
    this.boundClass = new Uint16Array(this.bounds.length);
    const classes = new Map<string, number>();
    const accepts: Int32Array[] = [];
    this.bounds.forEach((unit, i) => {
      const mask = vector(
        graph.sets.flatMap((set, p) => (p > 0 && contains(set, unit) ? [p] : [])),
      );
      const key = mask.join(',');
      let id = classes.get(key);
      if (id === undefined) {
        id = accepts.length;
        classes.set(key, id);
        accepts.push(mask);
      }
      this.boundClass[i] = id;
    });
    this.accepts = new Int32Array(accepts.length * words);
    accepts.forEach((mask, id) => this.accepts.set(mask, id * words));
    this.asciiClass = new Uint16Array(128);
    for (let unit = 0; unit < 128; unit++) this.asciiClass[unit] = this.classOf(unit);
    this.current = new Int32Array(words);
    this.next = new Int32Array(words);
    this.classes = accepts.length;
    this.maxStates = Math.max(16, Math.floor(DFA_TABLE_ENTRIES / this.classes));
    const dead = new Int32Array(words);
    this.add(dead, dead.join(',')); // DEAD
    const start = new Int32Array(words);
    start[0] = 1;
    this.add(start, start.join(',')); // START
  }

  test(value: string): boolean {
    if (this.literal !== null) return value === this.literal;
    return this.matches(value) !== this.negated;
  }

  /**
   * Walks the cached DFA; a transition not cached yet is computed by one bit-parallel step and
   * cached. When the cache is full, the rest of the input is run bit-parallel, uncached.
   */
  private matches(value: string): boolean {
    const { classes, asciiClass } = this;
    let state = START;
    for (let i = 0; i < value.length; i++) {
      const unit = value.charCodeAt(i);
      const k = unit < 128 ? asciiClass[unit]! : this.classOf(unit);
      let next = this.table[state * classes + k]!;
      if (next === UNKNOWN) {
        next = this.learn(state, k);
        if (next === FULL) return this.run(state, value, i);
      }
      if (next === DEAD) return false;
      state = next;
    }
    return this.acceptingStates[state] === 1;
  }

  private classOf(unit: number): number {
    const { bounds } = this;
    let lo = 0;
    let hi = bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bounds[mid]! <= unit) lo = mid;
      else hi = mid - 1;
    }
    return this.boundClass[lo]!;
  }

  /** The cached state after `state` reads a character of class `k`, or FULL. */
  private learn(state: number, k: number): number {
    const { words, current, next } = this;
    current.set(this.stateSets.subarray(state * words, (state + 1) * words));
    let id: number | undefined = DEAD;
    if (this.step(current, k, next)) {
      const key = next.join(',');
      id = this.index.get(key);
      if (id === undefined) {
        if (this.count === this.maxStates) return FULL;
        id = this.add(next, key);
      }
    }
    this.table[state * this.classes + k] = id;
    return id;
  }

  private add(set: Int32Array, key: string): number {
    const { words, classes } = this;
    const id = this.count++;
    if (id === this.acceptingStates.length) {
      const capacity = Math.min(Math.max(id * 2, 8), this.maxStates);
      const table = new Int32Array(capacity * classes).fill(UNKNOWN);
      table.set(this.table);
      this.table = table;
      const sets = new Int32Array(capacity * words);
      sets.set(this.stateSets);
      this.stateSets = sets;
      const accepting = new Uint8Array(capacity);
      accepting.set(this.acceptingStates);
      this.acceptingStates = accepting;
    }
    this.stateSets.set(set, id * words);
    for (let w = 0; w < words; w++) {
      if ((set[w]! & this.accepting[w]!) !== 0) this.acceptingStates[id] = 1;
    }
    this.index.set(key, id);
    return id;
  }

  /** Bit-parallel, uncached: from cached `state`, the input from character `from` on. */
  private run(state: number, value: string, from: number): boolean {
    const { words, accepting } = this;
    let set = this.current;
    let follow = this.next;
    set.set(this.stateSets.subarray(state * words, (state + 1) * words));
    for (let i = from; i < value.length; i++) {
      const unit = value.charCodeAt(i);
      if (!this.step(set, unit < 128 ? this.asciiClass[unit]! : this.classOf(unit), follow)) {
        return false;
      }
      [set, follow] = [follow, set];
    }
    for (let w = 0; w < words; w++) if ((set[w]! & accepting[w]!) !== 0) return true;
    return false;
  }

  /** Sets `follow` to the positions `set` moves to on a character of class `k`; false if none. */
  private step(set: Int32Array, k: number, follow: Int32Array): boolean {
    const { words, shifts, offsets, masks, maskSpans, jumps, sources, targets, jumpSpans } = this;
    this.steps++;
    follow.fill(0);
    for (let s = 0, at = 0; s < shifts; s++, at += words) {
      const offset = offsets[s]!;
      const last = maskSpans[s * 2 + 1]!;
      for (let w = maskSpans[s * 2]!; w <= last; w++) {
        const bits = set[w]! & masks[at + w]!;
        if (bits === 0) continue;
        if (offset === 0) {
          follow[w]! |= bits;
        } else if (offset > 0) {
          follow[w]! |= bits << offset;
          if (w + 1 < words) follow[w + 1]! |= bits >>> (32 - offset);
        } else {
          follow[w]! |= bits >>> -offset;
          if (w > 0) follow[w - 1]! |= bits << (32 + offset);
        }
      }
    }
    for (let j = 0, at = 0; j < jumps; j++, at += words) {
      let hit = 0;
      for (let w = jumpSpans[j * 4]!, end = jumpSpans[j * 4 + 1]!; w <= end && hit === 0; w++) {
        hit = set[w]! & sources[at + w]!;
      }
      if (hit === 0) continue;
      for (let w = jumpSpans[j * 4 + 2]!, end = jumpSpans[j * 4 + 3]!; w <= end; w++) {
        follow[w]! |= targets[at + w]!;
      }
    }
    const base = k * words;
    let any = 0;
    for (let w = 0; w < words; w++) {
      const bits = follow[w]! & this.accepts[base + w]!;
      follow[w] = bits;
      any |= bits;
    }
    return any !== 0;
  }
}

/**
 * Compiles a glob, or throws a GlobError saying what is wrong with it. Compile once (per
 * subscription record), test many times.
 */
export function compileGlob(pattern: string, limits: GlobLimits = GLOB_LIMITS): Glob {
  if (pattern.length > limits.maxLength) {
    throw new GlobError('limit', `must be at most ${limits.maxLength} characters`);
  }
  const parser = new Parser(pattern, limits);
  const tree = parser.parse();
  const graph = new Positions(limits.maxPositions);
  const info = graph.analyse(tree);
  if (!parser.negated && !canMatch(graph, info)) {
    throw new GlobError('syntax', 'it can match nothing');
  }
  const literal = parser.literalOnly ? literalOf(tree) : null;
  return new CompiledGlob(pattern, literal, parser.negated, graph, info, limits.maxCost);
}

/** Whether some input is accepted: a path from the start to an end through satisfiable tests. */
function canMatch(graph: Positions, info: Info): boolean {
  if (info.nullable) return true;
  const ends = new Set(info.last);
  const seen = new Set<number>();
  const stack = [...info.first];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (seen.has(p) || graph.sets[p]!.length === 0) continue;
    seen.add(p);
    if (ends.has(p)) return true;
    stack.push(...graph.follow[p]!);
  }
  return false;
}

function literalOf(node: Node): string {
  switch (node.kind) {
    case 'chars':
      return String.fromCharCode(node.set[0]!);
    case 'seq':
      return node.items.map(literalOf).join('');
    default:
      throw new Error('not a literal'); // unreachable: literalOnly trees hold chars and seqs
  }
}
