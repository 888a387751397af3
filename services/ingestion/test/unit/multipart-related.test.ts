import { parseMediaType, parseMultipart } from '../../src/routes/multipart-related';

const crlf = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('multipart/related bodies (RFC 2046 5.1.1), as STOW-RS senders write them', () => {
  test('parts keep their bytes exactly, including CRLFs and boundary-like text not at a line start', () => {
    const body = crlf('--b1', 'Content-Type: application/dicom', '', 'one\r\nx--b1y', '--b1', 'content-type: application/dicom', '', 'two', '--b1--');
    expect(parseMultipart(body, 'b1').map((p) => [p.headers['content-type'], p.body.toString()])).toEqual([
      ['application/dicom', 'one\r\nx--b1y'],
      ['application/dicom', 'two'],
    ]);
  });

  test('preamble, epilogue, transport padding and a part without header fields are accepted', () => {
    const body = crlf('this is a preamble', '--b2  ', '', 'bare part', '--b2--', 'epilogue');
    expect(parseMultipart(body, 'b2')).toEqual([{ headers: {}, body: Buffer.from('bare part') }]);
  });

  test('a boundary over RFC 2046’s 70 characters, as Orthanc writes it (two UUIDs: 73), is accepted', () => {
    const boundary = `${'7f1e3c52-8a0b-4d1e-9c3f-2b6a5d4e3f21'}-${'0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d'}`;
    expect(boundary).toHaveLength(73);
    expect(parseMultipart(crlf(`--${boundary}`, 'Content-Type: application/dicom', '', 'x', `--${boundary}--`), boundary)).toHaveLength(1);
  });

  test('an empty body part list, a missing close delimiter or a bad boundary are refused as malformed', () => {
    expect(parseMultipart(Buffer.from('--b3--'), 'b3')).toEqual([]);
    expect(() => parseMultipart(crlf('--b3', '', 'cut short'), 'b3')).toThrow(/not closed by a boundary delimiter/);
    expect(() => parseMultipart(Buffer.from('no delimiter here'), 'b3')).toThrow(/no boundary delimiter/);
    expect(() => parseMultipart(Buffer.from('--'), '')).toThrow(/boundary parameter/);
    expect(() => parseMultipart(crlf('--b3', 'no colon', '', 'x', '--b3--'), 'b3')).toThrow(/header field has no name/);
  });

  test('media type parameters: quoted values, any case, semicolons inside quotes', () => {
    expect(parseMediaType('Multipart/Related; Type="application/dicom"; boundary="a;b c"')).toEqual({
      essence: 'multipart/related',
      params: { type: 'application/dicom', boundary: 'a;b c' },
    });
    expect(parseMediaType(undefined)).toEqual({ essence: '', params: {} });
  });
});
