/*
 * Where a JSON text goes wrong, found without recursion: V8's JSON.parse names no position for
 * many errors ("Unexpected token '}'"), and parses nesting of any depth, which later recursive
 * walks cannot. One pass, an explicit stack.
 */

// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** The first problem in a JSON text: a syntax error or nesting deeper than maxDepth. */
export interface JsonProblem {
  readonly offset: number;
  readonly line: number;
  readonly kind: 'syntax' | 'too-deep';
}

function at(text: string, offset: number, kind: JsonProblem['kind']): JsonProblem {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { offset, line, kind };
}

/** The first syntax error or too-deep nesting in `text`, or undefined when it is fine. */
export function findJsonProblem(text: string, maxDepth: number): JsonProblem | undefined {
  const stack: ('{' | '[')[] = [];
  let i = 0;
  let state: 'value' | 'firstValue' | 'key' | 'firstKey' | 'after' = 'value';
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const token = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (state === 'value' || state === 'firstValue') {
      if (state === 'firstValue' && c === ']') {
        stack.pop();
        i++;
        state = 'after';
      } else if (c === '{' || c === '[') {
        if (stack.length >= maxDepth) return at(text, i, 'too-deep');
        stack.push(c);
        i++;
        state = c === '{' ? 'firstKey' : 'firstValue';
      } else if (token(STRING) || token(NUMBER) || token(LITERAL)) state = 'after';
      else return at(text, i, 'syntax');
    } else if (state === 'key' || state === 'firstKey') {
      if (state === 'firstKey' && c === '}') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (!token(STRING)) return at(text, i, 'syntax');
      skipSpace();
      if (text[i] !== ':') return at(text, i, 'syntax');
      i++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < text.length ? at(text, i, 'syntax') : undefined;
      if (c === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (c === (top === '{' ? '}' : ']')) {
        stack.pop();
        i++;
      } else return at(text, i, 'syntax');
    }
  }
}
