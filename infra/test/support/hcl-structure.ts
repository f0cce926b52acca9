/**
 * The structure of HCL text: which names in a body are attributes (`name = ...`) and which are
 * nested blocks (`name "label" { ... }`), with line numbers. hcl2json cannot tell `x = [{...}]`
 * from a block `x { ... }` (both become an array of objects), and that difference is exactly
 * what the provider-schema check needs, so bodies are scanned here; expressions are skipped,
 * never evaluated.
 */

export interface HclAttribute {
  name: string;
  line: number;
  /** The expression's source text. */
  expression: string;
}

export interface HclBlock {
  type: string;
  labels: string[];
  line: number;
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

class Scanner {
  private pos = 0;
  private line = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private fail(message: string): never {
    throw new Error(`${this.file}:${this.line}: ${message}`);
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private advance(): string {
    const c = this.text[this.pos] ?? '';
    this.pos += 1;
    if (c === '\n') this.line += 1;
    return c;
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Skips spaces and comments; newlines too when `newlines`. */
  private skipSpace(newlines: boolean): void {
    while (!this.atEnd()) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.advance();
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (!this.atEnd() && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '*') {
        this.advance();
        this.advance();
        while (!this.atEnd() && !(this.peek() === '*' && this.peek(1) === '/')) this.advance();
        this.advance();
        this.advance();
      } else return;
    }
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos, this.pos + 256));
    if (!match) this.fail(`expected a name, found ${JSON.stringify(this.peek())}`);
    for (let i = 0; i < match[0].length; i += 1) this.advance();
    return match[0];
  }

  /** A quoted string, whose template interpolations may nest strings and braces. */
  private quoted(): string {
    const start = this.pos + 1;
    this.advance();
    while (!this.atEnd()) {
      const c = this.advance();
      if (c === '\\') this.advance();
      else if (c === '"') return this.text.slice(start, this.pos - 1);
      else if ((c === '$' || c === '%') && this.peek() === '{') {
        this.advance();
        this.skipBracketed('}');
      } else if (c === '\n') this.fail('newline in a quoted string');
    }
    return this.fail('unterminated string');
  }

  private heredoc(): void {
    const match = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(this.text.slice(this.pos, this.pos + 256));
    if (!match) this.fail('malformed heredoc');
    const marker = match[2] as string;
    while (!this.atEnd() && this.peek() !== '\n') this.advance();
    while (!this.atEnd()) {
      this.advance(); // the newline
      const end = this.text.indexOf('\n', this.pos);
      const lineText = this.text.slice(this.pos, end < 0 ? undefined : end);
      if (lineText.trim() === marker) {
        while (!this.atEnd() && this.peek() !== '\n') this.advance();
        return;
      }
      while (!this.atEnd() && this.peek() !== '\n') this.advance();
    }
    this.fail(`unterminated heredoc ${marker}`);
  }

  /** Skips to the closing bracket matching one already consumed. */
  private skipBracketed(close: string): void {
    const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    const stack = [close];
    while (!this.atEnd()) {
      this.skipSpace(true);
      const c = this.peek();
      if (c === '"') this.quoted();
      else if (c === '<' && this.peek(1) === '<' && /[A-Za-z_-]/.test(this.peek(2))) this.heredoc();
      else if (c in pairs) {
        this.advance();
        stack.push(pairs[c] as string);
      } else if (c === stack[stack.length - 1]) {
        this.advance();
        stack.pop();
        if (stack.length === 0) return;
      } else if (c === ')' || c === ']' || c === '}') this.fail(`unbalanced ${c}`);
      else this.advance();
    }
    this.fail(`missing ${close}`);
  }

  /** Skips an attribute's expression: up to the end of its line, outside brackets. */
  private skipExpression(): void {
    const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    while (!this.atEnd()) {
      this.skipSpace(false);
      const c = this.peek();
      if (c === '\n' || c === '}' || this.atEnd()) return;
      if (c === '"') this.quoted();
      else if (c === '<' && this.peek(1) === '<' && /[A-Za-z_-]/.test(this.peek(2))) this.heredoc();
      else if (c in pairs) {
        this.advance();
        this.skipBracketed(pairs[c] as string);
      } else this.advance();
    }
  }

  /** A body up to `}` (or the end of the file at the top level). */
  body(topLevel: boolean): { attributes: HclAttribute[]; blocks: HclBlock[] } {
    const attributes: HclAttribute[] = [];
    const blocks: HclBlock[] = [];
    for (;;) {
      this.skipSpace(true);
      if (this.atEnd()) {
        if (topLevel) return { attributes, blocks };
        this.fail('missing }');
      }
      if (this.peek() === '}') {
        if (topLevel) this.fail('unexpected }');
        this.advance();
        return { attributes, blocks };
      }
      const line = this.line;
      const name = this.identifier();
      this.skipSpace(false);
      if (this.peek() === '=' && this.peek(1) !== '=') {
        this.advance();
        const start = this.pos;
        this.skipExpression();
        attributes.push({ name, line, expression: this.text.slice(start, this.pos).trim() });
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        this.skipSpace(false);
        if (this.peek() === '"') labels.push(this.quoted());
        else if (this.peek() === '{') break;
        else labels.push(this.identifier());
      }
      this.advance(); // {
      const inner = this.body(false);
      blocks.push({ type: name, labels, line, ...inner });
    }
  }
}

/** The top-level blocks (and attributes, for .tfvars-like files) of HCL text. */
export function hclStructure(text: string, file = '<text>'): HclBlock[] {
  return new Scanner(text, file).body(true).blocks;
}
