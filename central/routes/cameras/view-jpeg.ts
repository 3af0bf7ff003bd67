// Checks a camera view upload: a JPEG that decodes, of a camera's size, before it is stored and shown to reviewers.
import sharp from 'sharp';

/** Largest view accepted (the edge sends at most 1280 px wide at quality 4: about 100-300 kB). */
export const VIEW_MAX_BYTES = 2 * 1024 * 1024;
/** Largest side accepted, in pixels. */
export const VIEW_MAX_SIDE_PX = 4096;

/** Why the bytes are not an acceptable view, or undefined when they are. */
export async function checkViewJpeg(bytes: Buffer): Promise<string | undefined> {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff)
    return `body is not a JPEG (starts ${bytes.subarray(0, 4).toString('hex') || 'empty'}, not ffd8ff)`;
  try {
    const m = await sharp(bytes, { failOn: 'error' }).metadata();
    if (m.format !== 'jpeg') return `body is ${m.format}, not jpeg`;
    const w = m.width ?? 0;
    const h = m.height ?? 0;
    if (w < 16 || h < 16 || w > VIEW_MAX_SIDE_PX || h > VIEW_MAX_SIDE_PX)
      return `image is ${w}x${h} px; a view is 16..${VIEW_MAX_SIDE_PX} px on each side`;
    // Decoding the whole image finds a truncated or corrupt body that the header alone does not.
    await sharp(bytes, { failOn: 'error' }).stats();
    return undefined;
  } catch (err) {
    return `JPEG does not decode: ${(err as Error).message}`;
  }
}
