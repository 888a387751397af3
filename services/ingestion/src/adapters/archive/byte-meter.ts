import { Transform, type TransformCallback } from 'node:stream';
import { SNIFF_BYTES } from './archive-format';
import { tooLarge } from './archive-errors';

/**
 * Passes the upload through unchanged while counting it: past maxBytes it fails with 413 (the body
 * is streamed, so fastify's bodyLimit does not apply). It also keeps the first SNIFF_BYTES for the
 * format check, available as `head` before anything downstream reads.
 */
export class ByteMeter extends Transform {
  readonly head: Promise<Buffer>;
  private received = 0;
  private readonly start: Buffer[] = [];
  private startLength = 0;
  private resolveHead!: (head: Buffer) => void;

  constructor(private readonly maxBytes: number) {
    super();
    this.head = new Promise<Buffer>((resolve, reject) => {
      this.resolveHead = resolve;
      this.once('error', reject);
    });
    // The head promise may be abandoned after an error nobody awaits it for.
    this.head.catch(() => undefined);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.maxBytes) return callback(tooLarge(this.maxBytes));
    if (this.startLength < SNIFF_BYTES) {
      this.start.push(chunk);
      this.startLength += chunk.length;
      if (this.startLength >= SNIFF_BYTES) this.resolveHead(Buffer.concat(this.start));
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.resolveHead(Buffer.concat(this.start));
    callback();
  }
}
