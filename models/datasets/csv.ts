/**
 * A small RFC 4180 reader: quoted fields may hold the delimiter, doubled quotes and line breaks;
 * records end at CRLF, LF or a lone CR. It never throws on bad input: a malformed record comes
 * back with an `error` and the reader carries on, so the caller can report it with its line.
 *
 * Lenient where real files commonly are: a quote inside an unquoted field is kept literally
 * (`Apple's "iPhone" sales`). Strict where guessing would corrupt rows: text after a closing
 * quote (`"a"b,c`) and a quote left open at end of file are errors.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  error?: string;
}

export function* readDelimited(text: string, delimiter: string): Generator<CsvRecord> {
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let error: string | undefined;
    let field = '';
    let atFieldStart = true;
    let blank = true;
    let ended = false;
    while (i < n && !ended) {
      const ch = text[i]!;
      if (atFieldStart && ch === '"') {
        // Quoted field: runs to the next quote that is not doubled.
        blank = false;
        atFieldStart = false;
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (!closed) {
          error = `unterminated quoted field (the quote opened on line ${startLine} is never closed)`;
          break;
        }
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r' && !error) {
          error = `unexpected character ${JSON.stringify(next)} after a closing quote: quote the whole field and double the quotes inside it`;
        }
        continue;
      }
      if (ch === delimiter) {
        fields.push(field);
        field = '';
        atFieldStart = true;
        blank = false;
        i++;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        ended = true;
        continue;
      }
      if (ch.trim() !== '') blank = false;
      atFieldStart = false;
      field += ch;
      i++;
    }
    fields.push(field);
    if (blank && !error) continue; // an empty or whitespace-only line is not a record
    yield error ? { fields, line: startLine, error } : { fields, line: startLine };
  }
}
