import type { ProblemCode } from './codes.js';

/** Where something is in a source file: 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One thing wrong with a config, located in its source. */
export interface Problem extends Position {
  readonly code: ProblemCode;
  readonly message: string;
  /** The JSON path of the value concerned, such as `cameras[2].zones[0].points`, when known. */
  readonly path?: string;
}

/** A problem found on a decoded value, before it is located in the source. */
export interface PathProblem {
  readonly code: ProblemCode;
  readonly message: string;
  readonly path: string;
}

/** Formats a problem as `FILE:LINE:COL: CODE message`, the line that tools and editors read. */
export function formatProblem(fileName: string, problem: Problem): string {
  const message = problem.message.replace(/[\r\n]+/g, ' ');
  return `${fileName}:${String(problem.line)}:${String(problem.column)}: ${problem.code} ${message}`;
}

/** Orders problems by position, then code, so that output is stable. */
export function compareProblems(a: Problem, b: Problem): number {
  return a.line - b.line || a.column - b.column || a.code.localeCompare(b.code);
}

/** Shortens user text quoted in a message, so that one problem stays one readable line. */
export function clip(text: string, max = 60): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
