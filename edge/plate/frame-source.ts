// Where the plate reader gets full-resolution frames: an interface, so the ring (or a snapshot cache) can serve it.
import type { RawImage } from './raw-image.ts';

export interface TimedFrame {
  /** The requested wall-clock ms, and the ms of the frame actually decoded (the nearest one). */
  atMs: number;
  frameMs: number;
  image: RawImage;
}

export interface FrameOptions {
  /**
   * A frame may be taken up to this far from the wanted time when the encoder spent more bits on it: at a
   * camera's 2-4 Mb/s a P-frame's plate is a smear, the keyframe's and its neighbours' are sharp.
   */
  snapMs?: number;
}

export interface FullResFrameSource {
  /**
   * The frames nearest to each wall-clock time of one camera, at the camera's resolution. 'pending' while the
   * source does not hold all of them yet (the ring segment is still being written); frames it can never give
   * (rotated out of the ring) are left out of the result.
   */
  frames(
    camera: string,
    timesMs: readonly number[],
    options?: FrameOptions,
  ): Promise<TimedFrame[] | 'pending'>;
  /**
   * Wall-clock times of the frames in [fromMs, toMs] the encoder coded whole (keyframes): at the bitrates of
   * city cameras they are the only frames whose plates are sharp. Empty when the source cannot tell.
   */
  keyframes?(camera: string, fromMs: number, toMs: number): Promise<number[]>;
}
