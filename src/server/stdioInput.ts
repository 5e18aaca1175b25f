import { Transform, type TransformCallback } from "node:stream";

/**
 * Stands between stdin and the SDK's stdio transport and passes each whole line through,
 * except one longer than `maxLineBytes`: that line is dropped (up to its newline) and
 * `onOversized` is told, so the server can refuse it with a JSON-RPC error and keep serving.
 * (The SDK's own limit instead closes the transport, dropping the answers to sends in flight.)
 */
export class LineLengthGuard extends Transform {
  private line: Buffer[] = [];
  private lineBytes = 0;
  private dropping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversized: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      if (!this.dropping) {
        this.line.push(chunk.subarray(start, end));
        this.lineBytes += end - start;
        if (this.lineBytes > this.maxLineBytes) {
          this.line = [];
          this.dropping = true;
          this.onOversized();
        }
      }
      if (newline !== -1) {
        if (!this.dropping) {
          const [only] = this.line;
          this.push(
            this.line.length === 1 && only ? only : Buffer.concat(this.line, this.lineBytes),
          );
        }
        this.line = [];
        this.lineBytes = 0;
        this.dropping = false;
      }
      start = end;
    }
    done();
  }
}
