/**
 * Borderless terminal tables (cli-table3) of any length. cli-table3 lays a table out in time
 * quadratic in its rows (each cell is checked against every row above it for spans): 20,000 rows
 * take minutes. Tables longer than CHUNK_ROWS are therefore rendered as consecutive cli-table3
 * tables of CHUNK_ROWS rows with the same column widths (the widest cell of each column over all
 * rows), the header on the first only: the lines are exactly what one table would print.
 */
import Table from 'cli-table3';
import { displayWidth } from './wrap.js';

export const NO_BORDER = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: ' ',
  },
  style: { 'padding-left': 0, 'padding-right': 1, head: [], border: [] },
};

export const CHUNK_ROWS = 100;

/**
 * Rows a terminal table keeps at most (the first in its order; the views say how many more there
 * were): memory stays bounded on a capture of millions of connections or transactions.
 */
export const MAX_TABLE_ROWS = 10_000;

/** A table heading's count: `12`, or `1,000,000; 10,000 shown` when only some rows are shown. */
export function shownOf(shown: number, total: number = shown): string {
  return total === shown
    ? String(shown)
    : `${total.toLocaleString('en')}; ${shown.toLocaleString('en')} shown`;
}

export interface TableSpec {
  /** Column titles (styled). */
  readonly head: readonly string[];
  readonly colAligns?: readonly ('left' | 'right')[];
  /** Fixed column widths (padding included); the widest cells decide otherwise. */
  readonly colWidths?: readonly number[];
}

// SGR sequences only: everything printed from a capture is escaped before styling.
const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, 'g');

/** Columns a cell takes on screen: its widest line, without colour codes. */
function cellWidth(s: string): number {
  let w = 0;
  for (const line of s.replace(SGR, '').split('\n')) w = Math.max(w, displayWidth(line));
  return w;
}

function oneTable(spec: TableSpec, head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const t = new Table({
    head: [...head],
    ...NO_BORDER,
    ...(spec.colAligns ? { colAligns: [...spec.colAligns] } : {}),
    ...(spec.colWidths ? { colWidths: [...spec.colWidths] } : {}),
  });
  for (const r of rows) t.push([...r]);
  return t.toString().split('\n');
}

/** The table's lines (a header line when there are no rows). */
export function renderTable(spec: TableSpec, rows: readonly (readonly string[])[]): string[] {
  if (rows.length <= CHUNK_ROWS) return oneTable(spec, spec.head, rows);
  let widths = spec.colWidths;
  if (!widths) {
    const w = spec.head.map(cellWidth);
    for (const r of rows)
      for (let c = 0; c < r.length; c++) {
        const x = cellWidth(r[c] as string);
        if (x > (w[c] ?? 0)) w[c] = x;
      }
    widths = w.map((x) => x + NO_BORDER.style['padding-left'] + NO_BORDER.style['padding-right']);
  }
  const fixed: TableSpec = { ...spec, colWidths: widths };
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS)
    appendLines(out, oneTable(fixed, i === 0 ? spec.head : [], rows.slice(i, i + CHUNK_ROWS)));
  return out;
}

/** Append every line (`out.push(...lines)` passes each as an argument: the stack overflows beyond ~100,000). */
export function appendLines(out: string[], lines: readonly string[]): void {
  for (const l of lines) out.push(l);
}
