import { describe, expect, it } from 'vitest';
import { readDelimited } from '../models/datasets';

const read = (text: string, delimiter = ',') => [...readDelimited(text, delimiter)];

describe('the RFC 4180 reader', () => {
  it('splits records on CRLF, LF and a lone CR and counts physical lines', () => {
    expect(read('a,b\r\nc,d\ne,f\rg,h').map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['c', 'd']],
      [3, ['e', 'f']],
      [4, ['g', 'h']],
    ]);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields', () => {
    const records = read('"x, y","say ""hi""","two\nlines"\nnext,1,2\n');
    expect(records[0]!.fields).toEqual(['x, y', 'say "hi"', 'two\nlines']);
    expect(records[1]).toEqual({ fields: ['next', '1', '2'], line: 3 });
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(read('a,,c,\n')[0]!.fields).toEqual(['a', '', 'c', '']);
    expect(read('"",b\n')[0]!.fields).toEqual(['', 'b']);
  });

  it('skips blank lines but not a line of empty fields', () => {
    expect(read('a\n\n   \n,\n').map((r) => r.fields)).toEqual([['a'], ['', '']]);
  });

  it('flags text after a closing quote and carries on with the next record', () => {
    const records = read('"a"b,c\nd,e\n');
    expect(records[0]!.error).toMatch(/unexpected character "b" after a closing quote/);
    expect(records[1]).toEqual({ fields: ['d', 'e'], line: 2 });
  });

  it('flags a quote left open at the end of the input with the line it opened on', () => {
    const records = read('ok,1\n"never closed,2\nmore\n');
    expect(records[1]).toMatchObject({
      line: 2,
      error: expect.stringMatching(/opened on line 2 is never closed/),
    });
  });

  it('reads tabs as the delimiter for TSV, leaving commas alone', () => {
    expect(read('a, b\tc\n', '\t')[0]!.fields).toEqual(['a, b', 'c']);
  });
});
