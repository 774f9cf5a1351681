// Finds a job spec's inputs (path, from, cid) in its YAML text, so the Submit page can match attached files to
// inputs[].path before anything is uploaded. It is a convenience for the forms `og` and the examples use
// (block lists of flow maps or of block maps, or one flow list); the coordinator's parser stays the judge, and an
// input this misses comes back from the server as `input.missing`.

/** @returns {{path: string, from?: string, cid?: string}[]} */
export function specInputs(text) {
  const lines = (text ?? '').split(/\r?\n/);
  const start = lines.findIndex((line) => /^inputs\s*:/.test(line));
  if (start < 0) return [];

  const first = stripComment(lines[start].replace(/^inputs\s*:/, ''));
  let block;
  if (first.trim().startsWith('[')) {
    // Flow list: read on until the brackets balance.
    block = first;
    for (let i = start + 1; i < lines.length && depth(block) > 0; i++) block += '\n' + stripComment(lines[i]);
  } else {
    const body = [];
    for (let i = start + 1; i < lines.length; i++) {
      const line = lines[i];
      if (/^\S/.test(line) && !/^-/.test(line) && !/^#/.test(line)) break; // the next top-level key
      body.push(stripComment(line));
    }
    block = body.join('\n');
  }

  const items = [];
  // Flow maps: { path: a, from: ./a }
  for (const match of block.matchAll(/\{([^{}]*)\}/g)) items.push(match[1]);
  if (items.length === 0) {
    // Block maps: "- path: a" followed by more indented keys.
    let current = null;
    for (const line of block.split('\n')) {
      const dash = /^\s*-\s+(.*)$/.exec(line);
      if (dash) {
        if (current !== null) items.push(current);
        current = dash[1];
      } else if (current !== null) {
        current += '\n' + line;
      }
    }
    if (current !== null) items.push(current);
  }

  return items
    .map((item) => ({ path: field(item, 'path'), from: field(item, 'from'), cid: field(item, 'cid') }))
    .filter((input) => input.path);
}

/** The last part of a path: "data/train.py" → "train.py". */
export function baseName(path) {
  return (path ?? '').replace(/\/+$/, '').split('/').pop();
}

function field(item, name) {
  const match = new RegExp(`(?:^|[\\s,{])${name}\\s*:\\s*("[^"]*"|'[^']*'|[^,}\\s]+)`).exec(item);
  if (!match) return undefined;
  const value = match[1];
  return /^["']/.test(value) ? value.slice(1, -1) : value;
}

function stripComment(line) {
  // A '#' starts a comment at the line start or after whitespace, outside quotes (good enough for paths).
  let quote = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function depth(text) {
  let d = 0;
  for (const c of text) {
    if (c === '[') d++;
    else if (c === ']') d--;
  }
  return d;
}
