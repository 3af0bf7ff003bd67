// A stream transform passing only bytes [skip, skip+length) of what flows through it: a range cut out of a body.
import { Transform } from 'node:stream';

/**
 * HTTP lets a server ignore Range (RFC 9110 §14.2) and some S3-compatible stores answer part of it wrongly
 * (s3rver serves `bytes=0-0` whole). The S3 backend cuts the asked window from whatever came back, so a 206 never
 * carries bytes other than those its Content-Range names.
 */
export function byteWindow(skip: number, length: number): Transform {
  let pos = 0; // offset in the incoming stream of the next chunk's first byte
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const from = Math.max(0, skip - pos);
      const to = Math.min(chunk.length, skip + length - pos);
      pos += chunk.length;
      if (to > from) this.push(chunk.subarray(from, to));
      // Past the window: end our side; the source is destroyed by whoever pipes (its socket is let go).
      if (pos >= skip + length) this.push(null);
      cb();
    },
  });
}
