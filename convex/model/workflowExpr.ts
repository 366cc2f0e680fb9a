/**
 * The expression language of workflow `if` conditions and `{{ ... }}`
 * templates. Interpreted from an AST: definitions come from users, so
 * nothing here may reach eval, Function or a property of a prototype.
 *
 * Grammar (lowest precedence first):
 *   or      := and ("||" and)*
 *   and     := eq ("&&" eq)*
 *   eq      := rel (("==" | "!=") rel)*
 *   rel     := unary (("<" | "<=" | ">" | ">=") unary)*
 *   unary   := "!" unary | primary
 *   primary := number | string | true | false | null | path | "(" or ")"
 *   path    := name ("." segment)*    e.g. steps.gather.output.items.0
 * Names may contain "-" (step ids do); there is no arithmetic to clash with.
 */
import type { JsonValue } from "./workflowSpec";

export type BinaryOp = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=";

/** Offsets are into the parsed text, so errors can point at the source. */
export type Expr = { start: number; end: number } & (
  | { kind: "literal"; value: JsonValue }
  | { kind: "path"; segments: string[] }
  | { kind: "not"; operand: Expr }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
);
export type PathExpr = Extract<Expr, { kind: "path" }>;

export type ExprError = { message: string; offset: number };
export type ExprResult =
  { ok: true; expr: Expr } | { ok: false; error: ExprError };

/** What paths read. `inputs.x` and `steps.<id>.status|output|error`. */
export type ExprContext = {
  inputs: Record<string, JsonValue>;
  steps: Record<
    string,
    { status: string; output?: JsonValue; error?: string | null }
  >;
};

type Token =
  | { type: "number"; value: number; start: number; end: number }
  | { type: "string"; value: string; start: number; end: number }
  | { type: "name"; value: string; start: number; end: number }
  | { type: "op"; value: string; start: number; end: number }
  | { type: "end"; start: number; end: number };

const MAX_DEPTH = 32;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
const SEGMENT = /[A-Za-z0-9_-]+/y;
const OPERATOR = /==|!=|<=|>=|&&|\|\||[<>!()]/y;
const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
};
const KEYWORDS: Record<string, JsonValue> = {
  true: true,
  false: false,
  null: null,
};
const COMPARISONS: Record<string, BinaryOp[]> = {
  or: ["||"],
  and: ["&&"],
  eq: ["==", "!="],
  rel: ["<", "<=", ">", ">="],
};

/** The match of a sticky (/y) pattern at `at`, or null. */
function sticky(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A recursive-descent parser that can stop early, for templates. */
class Parser {
  private token: Token;
  private depth = 0;

  constructor(
    private readonly text: string,
    offset: number,
  ) {
    this.token = this.lex(offset);
  }

  /** Parses one expression; returns it and where the next token starts. */
  parse(): { expr: Expr; next: number } {
    const expr = this.binary("or");
    return { expr, next: this.token.start };
  }

  atEnd(): boolean {
    return this.token.type === "end";
  }

  private lex(from: number): Token {
    let at = from;
    while (at < this.text.length && /\s/.test(this.text[at] ?? "")) at += 1;
    if (at >= this.text.length) return { type: "end", start: at, end: at };
    const char = this.text[at] ?? "";
    if (char === "'" || char === '"') return this.lexString(at, char);
    const number = sticky(NUMBER, this.text, at);
    if (number !== null) {
      return {
        type: "number",
        value: Number(number),
        start: at,
        end: at + number.length,
      };
    }
    const name = sticky(NAME, this.text, at) ?? "";
    if (name !== "")
      return { type: "name", value: name, start: at, end: at + name.length };
    const op = sticky(OPERATOR, this.text, at) ?? "";
    if (op !== "")
      return { type: "op", value: op, start: at, end: at + op.length };
    // Unknown characters become tokens no rule accepts: templates stop at "}}".
    return { type: "op", value: char, start: at, end: at + 1 };
  }

  private lexString(start: number, quote: string): Token {
    let value = "";
    for (let at = start + 1; at < this.text.length; at += 1) {
      const char = this.text[at] ?? "";
      if (char === quote) return { type: "string", value, start, end: at + 1 };
      if (char === "\\") {
        const escaped = ESCAPES[this.text[at + 1] ?? ""];
        if (escaped === undefined) {
          throw new SyntaxFailure("unknown escape in string", at);
        }
        value += escaped;
        at += 1;
      } else {
        value += char;
      }
    }
    throw new SyntaxFailure("unterminated string", start);
  }

  private advance(): Token {
    const current = this.token;
    this.token = this.lex(current.end);
    return current;
  }

  private isOp(value: string): boolean {
    return this.token.type === "op" && this.token.value === value;
  }

  private binary(level: "or" | "and" | "eq" | "rel"): Expr {
    const next = { or: "and", and: "eq", eq: "rel", rel: null } as const;
    const operand = (): Expr => {
      const lower = next[level];
      return lower === null ? this.unary() : this.binary(lower);
    };
    let left = operand();
    for (;;) {
      const op = COMPARISONS[level]?.find((candidate) => this.isOp(candidate));
      if (op === undefined) return left;
      this.advance();
      const right = operand();
      left = {
        kind: "binary",
        op,
        left,
        right,
        start: left.start,
        end: right.end,
      };
    }
  }

  private unary(): Expr {
    if (!this.isOp("!")) return this.primary();
    const start = this.advance().start;
    const operand = this.nested(() => this.unary());
    return { kind: "not", operand, start, end: operand.end };
  }

  private nested(parse: () => Expr): Expr {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) {
      throw new SyntaxFailure("expression nested too deeply", this.token.start);
    }
    const expr = parse();
    this.depth -= 1;
    return expr;
  }

  private primary(): Expr {
    const token = this.advance();
    const { start, end } = token;
    if (token.type === "number" || token.type === "string") {
      return { kind: "literal", value: token.value, start, end };
    }
    if (token.type === "name") {
      if (Object.hasOwn(KEYWORDS, token.value)) {
        return {
          kind: "literal",
          value: KEYWORDS[token.value] ?? null,
          start,
          end,
        };
      }
      return this.path(token.value, start, end);
    }
    if (token.type === "op" && token.value === "(") {
      const inner = this.nested(() => this.binary("or"));
      if (!this.isOp(")")) {
        throw new SyntaxFailure('expected ")"', this.token.start);
      }
      return { ...inner, start, end: this.advance().end };
    }
    const what =
      token.type === "end" ? "end of expression" : `"${token.value}"`;
    throw new SyntaxFailure(`expected a value, found ${what}`, start);
  }

  /** Segments after a dot may start with a digit (array indexes). */
  private path(first: string, start: number, firstEnd: number): Expr {
    const segments = [first];
    let end = firstEnd;
    while (this.text[end] === ".") {
      SEGMENT.lastIndex = end + 1;
      const match = SEGMENT.exec(this.text);
      if (match === null)
        throw new SyntaxFailure('expected a name after "."', end + 1);
      segments.push(match[0]);
      end += 1 + match[0].length;
    }
    this.token = this.lex(end);
    return { kind: "path", segments, start, end };
  }
}

/** Parses `text` from `offset`, stopping at the first token it cannot use. */
export function parseExpressionPrefix(
  text: string,
  offset: number,
): { ok: true; expr: Expr; next: number } | { ok: false; error: ExprError } {
  try {
    return { ok: true, ...new Parser(text, offset).parse() };
  } catch (error) {
    if (error instanceof SyntaxFailure) {
      return {
        ok: false,
        error: { message: error.message, offset: error.offset },
      };
    }
    throw error;
  }
}

export function parseExpression(text: string): ExprResult {
  const parsed = parseExpressionPrefix(text, 0);
  if (!parsed.ok) return parsed;
  if (parsed.next < text.length) {
    const rest = text.slice(parsed.next, parsed.next + 10);
    const hint = rest.startsWith("=") ? ' (compare with "==")' : "";
    const message = `unexpected "${rest}"${hint}`;
    return { ok: false, error: { message, offset: parsed.next } };
  }
  return { ok: true, expr: parsed.expr };
}

/** Every path an expression reads, in source order. */
export function expressionReferences(expr: Expr): PathExpr[] {
  switch (expr.kind) {
    case "literal":
      return [];
    case "path":
      return [expr];
    case "not":
      return expressionReferences(expr.operand);
    case "binary":
      return [
        ...expressionReferences(expr.left),
        ...expressionReferences(expr.right),
      ];
  }
}

/** Reads a path; anything missing (or not an own property) is null. */
export function resolvePath(
  segments: readonly string[],
  context: ExprContext,
): JsonValue {
  let current: unknown = context;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
    } else if (
      typeof current === "object" &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, segment)
    ) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return null;
    }
  }
  return current === undefined ? null : (current as JsonValue);
}

/** false, null, 0, NaN and "" are false; everything else (incl. [] and {}) is true. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}

function equal(left: JsonValue, right: JsonValue): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object") return false;
  if (left === null || right === null) return false;
  if (Array.isArray(left) || Array.isArray(right)) {
    return (
      Array.isArray(left) &&
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((item, index) => equal(item, right[index] ?? null))
    );
  }
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every(
      (key) =>
        Object.hasOwn(right, key) &&
        equal(left[key] ?? null, right[key] ?? null),
    )
  );
}

/** Orders two numbers or two strings; any other pair compares false. */
function ordered(op: BinaryOp, left: JsonValue, right: JsonValue): boolean {
  const comparable =
    (typeof left === "number" && typeof right === "number") ||
    (typeof left === "string" && typeof right === "string");
  if (!comparable) return false;
  if (op === "<") return left < right;
  if (op === "<=") return left <= right;
  if (op === ">") return left > right;
  return left >= right;
}

/**
 * The value of an expression. Missing paths are null; `&&`, `||` and `!`
 * use isTruthy and yield booleans; a mismatched comparison is false (so
 * `!=` between different types is true). Never throws.
 */
export function evaluate(expr: Expr, context: ExprContext): JsonValue {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "path":
      return resolvePath(expr.segments, context);
    case "not":
      return !isTruthy(evaluate(expr.operand, context));
    case "binary": {
      const left = evaluate(expr.left, context);
      if (expr.op === "&&")
        return isTruthy(left) && isTruthy(evaluate(expr.right, context));
      if (expr.op === "||")
        return isTruthy(left) || isTruthy(evaluate(expr.right, context));
      const right = evaluate(expr.right, context);
      if (expr.op === "==") return equal(left, right);
      if (expr.op === "!=") return !equal(left, right);
      return ordered(expr.op, left, right);
    }
  }
}

/**
 * Evaluates a step's stored `if`. Stored conditions were checked when the
 * definition was parsed, so a syntax error here is a bug, not user input.
 */
export function evaluateCondition(text: string, context: ExprContext): boolean {
  const parsed = parseExpression(text);
  if (!parsed.ok) {
    throw new Error(
      `Invalid stored condition ${JSON.stringify(text)}: ${parsed.error.message}`,
    );
  }
  return isTruthy(evaluate(parsed.expr, context));
}

export type TemplatePart =
  | { kind: "text"; text: string }
  | { kind: "expr"; expr: Expr; start: number; end: number };
export type TemplateResult =
  { ok: true; parts: TemplatePart[] } | { ok: false; error: ExprError };

/**
 * Splits a string into text and `{{ expression }}` parts. Any `{{` opens a
 * template (a malformed one is an error, so typos are not sent to agents
 * verbatim); a literal "{{" is written `{{ '{{' }}`.
 */
export function parseTemplate(text: string): TemplateResult {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf("{{", at);
    if (open === -1) {
      parts.push({ kind: "text", text: text.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: "text", text: text.slice(at, open) });
    const parsed = parseExpressionPrefix(text, open + 2);
    if (!parsed.ok) return parsed;
    if (!text.startsWith("}}", parsed.next)) {
      return {
        ok: false,
        error: { message: 'expected "}}"', offset: parsed.next },
      };
    }
    at = parsed.next + 2;
    parts.push({ kind: "expr", expr: parsed.expr, start: open, end: at });
  }
  return { ok: true, parts };
}

function renderString(text: string, context: ExprContext): JsonValue {
  if (!text.includes("{{")) return text;
  const parsed = parseTemplate(text);
  // Stored definitions were validated; render anything else as written.
  if (!parsed.ok) return text;
  const [only] = parsed.parts;
  if (parsed.parts.length === 1 && only?.kind === "expr") {
    return evaluate(only.expr, context);
  }
  return parsed.parts
    .map((part) => {
      if (part.kind === "text") return part.text;
      const value = evaluate(part.expr, context);
      return typeof value === "string" ? value : JSON.stringify(value);
    })
    .join("");
}

/**
 * Renders templates in a value, recursing into arrays and object values (not
 * keys). A string that is exactly one template yields the value with its own
 * type; otherwise values are interpolated, non-strings as JSON.
 */
export function renderTemplate(
  value: JsonValue,
  context: ExprContext,
): JsonValue {
  if (typeof value === "string") return renderString(value, context);
  if (Array.isArray(value))
    return value.map((item) => renderTemplate(item, context));
  if (typeof value === "object" && value !== null) {
    const rendered: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      rendered[key] = renderTemplate(item, context);
    }
    return rendered;
  }
  return value;
}

/** Paths read by the templates in a value; malformed templates are skipped. */
export function templateReferences(value: JsonValue): PathExpr[] {
  if (typeof value === "string") {
    const parsed = value.includes("{{") ? parseTemplate(value) : null;
    if (parsed === null || !parsed.ok) return [];
    return parsed.parts.flatMap((part) =>
      part.kind === "expr" ? expressionReferences(part.expr) : [],
    );
  }
  if (Array.isArray(value)) return value.flatMap(templateReferences);
  if (typeof value === "object" && value !== null) {
    return Object.values(value).flatMap(templateReferences);
  }
  return [];
}
