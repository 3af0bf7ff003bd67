// Builds the ffmpeg command line: sample to the target fps first, then scale+pad to the model input in the graph;
// optionally a second output copying the encoded stream into the segment ring.
import type { ContentRect, FrameSpec } from './frame.ts';
import type { ResolvedSource } from './source-url.ts';

/** Socket I/O timeout for network inputs: a dead camera fails in 5 s instead of hanging. */
export const NETWORK_TIMEOUT_US = 5_000_000;

export interface FfmpegInputOptions {
  source: ResolvedSource;
  transport: 'tcp' | 'udp';
  realtime: boolean;
  /** Looping is done by FfmpegSource starting the file again at its end, not by -stream_loop: with stream
   * copy into the ring, -stream_loop sends the bitstream filter its EOF at the wrap and the ring goes dead. */
  loop: boolean;
  /** Skip H.264/H.265 deblocking when decoding for the detector (see SourceSchema.skipLoopFilter). */
  skipLoopFilter?: boolean;
}

export interface RingOutputOptions {
  /** Segment file pattern with %06d, from SegmentRing.beginRun(). */
  pattern: string;
  segmentS: number;
  /** Codec of the source video (ffprobe codec_name); decides the Annex B bitstream filter. */
  codec: string;
}

export interface FfmpegArgsOptions extends FfmpegInputOptions {
  spec: FrameSpec;
  fps: number;
  ring?: RingOutputOptions;
}

/** Codecs the ring can stream-copy into MPEG-TS, with the filter that turns MP4-style NAL units into Annex B. */
export const RING_BSF: Record<string, string> = { h264: 'h264_mp4toannexb', hevc: 'hevc_mp4toannexb' };

export function inputArgs(o: FfmpegInputOptions): string[] {
  // level+info: every line carries its level (we keep warnings and errors) and showinfo's per-frame lines.
  const args = ['-hide_banner', '-nostats', '-loglevel', 'level+info'];
  const network = !o.source.isFile;
  if (o.source.isRtsp) args.push('-rtsp_transport', o.transport, '-timeout', String(NETWORK_TIMEOUT_US));
  else if (network) args.push('-rw_timeout', String(NETWORK_TIMEOUT_US));
  // Cameras: hand frames on as they arrive instead of buffering for smoother playback. Not for HLS/HTTP,
  // where nobuffer drops the packets read while probing and no frame is ever decoded.
  if (o.source.isRtsp) args.push('-fflags', 'nobuffer');
  if (network) args.push('-flags', 'low_delay');
  if (o.source.isFile && o.realtime) args.push('-re');
  // One decoder thread per camera: a box runs many cameras on 2 cores, so throughput is what counts, and frame
  // threading adds a frame of latency and a frame buffer per thread. Measured on the 1080p clip: 1.22 s of CPU
  // per 10.4 s with one thread vs 1.64 s with ffmpeg's automatic thread count.
  args.push('-threads', '1');
  if (o.skipLoopFilter) args.push('-skip_loop_filter', 'all');
  args.push('-i', o.source.input);
  return args;
}

/**
 * Keeps the first frame of each 1/fps slot of stream time. Unlike the fps filter it never duplicates a
 * frame to fill a gap (a lossy camera stays honest), and frames without a timestamp pass.
 */
export function sampler(fps: number): string {
  const f = Number(fps.toFixed(6));
  return `select='isnan(t)+isnan(prev_selected_t)+gt(floor(t*${f}),floor(prev_selected_t*${f}))'`;
}

function padColor(spec: FrameSpec): string {
  const hex = spec.padValue.toString(16).padStart(2, '0');
  return `0x${hex}${hex}${hex}`;
}

/**
 * Sampling, scaling (fast_bilinear: cheapest scaler that looks right; bicubic costs more than decoding) with
 * the pixel format conversion in the same pass, then padding in the target format. The geometry is fixed
 * from a known content rectangle (stills, tests).
 */
export function frameFilter(spec: FrameSpec, content: ContentRect, fps: number): string {
  const parts = [
    sampler(fps),
    `scale=${content.width}:${content.height}:flags=fast_bilinear`,
    `format=${spec.pixelFormat}`,
  ];
  if (content.width !== spec.width || content.height !== spec.height)
    parts.push(`pad=${spec.width}:${spec.height}:${content.x}:${content.y}:color=${padColor(spec)}`);
  return parts.join(',');
}

/**
 * The live graph: like frameFilter, but the geometry is computed by ffmpeg from each frame's size with the
 * same arithmetic as contentRect(), so a camera that changes resolution mid-stream still yields model-size
 * frames, and showinfo reports each sampled frame's stream time and source size on stderr.
 */
export function liveFrameFilter(spec: FrameSpec, fps: number): string {
  const W = spec.width;
  const H = spec.height;
  const parts = [sampler(fps), 'showinfo=checksum=0'];
  if (spec.fit === 'stretch') {
    parts.push(`scale=${W}:${H}:flags=fast_bilinear`, `format=${spec.pixelFormat}`);
    return parts.join(',');
  }
  const r = `min(${W}/iw,${H}/ih)`;
  const w = `min(${W},max(2,round(iw*${r}/2)*2))`;
  const h = `min(${H},max(2,round(ih*${r}/2)*2))`;
  parts.push(`scale=w='${w}':h='${h}':flags=fast_bilinear`, `format=${spec.pixelFormat}`);
  const [x, y] = spec.fit === 'letterbox-center' ? ["'floor((ow-iw)/2)'", "'floor((oh-ih)/2)'"] : ['0', '0'];
  parts.push(`pad=${W}:${H}:${x}:${y}:color=${padColor(spec)}`);
  return parts.join(',');
}

export function frameOutputArgs(spec: FrameSpec, fps: number): string[] {
  return [
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    liveFrameFilter(spec, fps),
    // Sampled frames go out as they are: no duplication or dropping by the muxer's frame-rate logic.
    '-fps_mode',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    spec.pixelFormat,
    'pipe:1',
  ];
}

/** The second output: the encoded video untouched (-c copy) in MPEG-TS segments; closed segments listed on fd 3. */
export function ringOutputArgs(o: RingOutputOptions): string[] {
  const bsf = RING_BSF[o.codec];
  if (!bsf) throw new Error(`MATTHAN_ERR_RING: cannot stream-copy ${o.codec} into MPEG-TS segments`);
  return [
    '-map',
    '0:v:0',
    '-an',
    '-c',
    'copy',
    '-bsf:v',
    bsf,
    '-f',
    'segment',
    '-segment_time',
    String(o.segmentS),
    '-segment_format',
    'mpegts',
    '-segment_list',
    'pipe:3',
    '-segment_list_type',
    'csv',
    o.pattern,
  ];
}

export function ffmpegArgs(o: FfmpegArgsOptions): string[] {
  const args = [...inputArgs(o), ...frameOutputArgs(o.spec, o.fps)];
  if (o.ring) args.push(...ringOutputArgs(o.ring));
  return args;
}
