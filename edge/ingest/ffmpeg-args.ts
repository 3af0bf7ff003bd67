// Builds the ffmpeg command line: sample to the target fps first, then scale+pad to the model input in the graph;
// optionally a second output copying the encoded stream into the segment ring.
import { concatInputArgs, concatList, hasCredentials } from './credential-input.ts';
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
  /** Frames the decoder never decodes (ffmpeg -skip_frame; see SourceSchema.skipFrames). */
  skipFrames?: SkipFrames;
  /**
   * A lower-resolution stream of the same camera (an RTSP substream) decoded for the detector instead of
   * `source`; `source` is then opened only for the ring (stream copy), so evidence keeps full resolution.
   */
  analysisSource?: ResolvedSource;
  /**
   * First file descriptor the caller writes inputLists() to. Set it, and each input URL with credentials is read
   * from a pipe of its own (credential-input.ts) instead of appearing on the command line.
   */
  listFd?: number;
}

/** ffmpeg's -skip_frame values matthan offers: decode everything, skip B-frames, or decode keyframes only. */
export type SkipFrames = 'none' | 'bidir' | 'nokey';

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
  /** Detection crops [x1, y1, x2, y2] normalised of the frame, stacked under the whole frame (cropFrameGraph). */
  crops?: readonly (readonly number[])[];
  ring?: RingOutputOptions;
}

/** Codecs the ring can stream-copy into MPEG-TS, with the filter that turns MP4-style NAL units into Annex B. */
export const RING_BSF: Record<string, string> = { h264: 'h264_mp4toannexb', hevc: 'hevc_mp4toannexb' };

export function inputArgs(o: FfmpegInputOptions): string[] {
  // level+info: every line carries its level (we keep warnings and errors) and showinfo's per-frame lines.
  const args = ['-hide_banner', '-nostats', '-loglevel', 'level+info'];
  args.push(...sourceArgs(o.analysisSource ?? o.source, o, true, listFdOf(o, 0)));
  return args;
}

/** The inputs in command-line order: the decoded one, then (substream + ring) the main stream for the ring. */
function inputsOf(o: FfmpegInputOptions & { ring?: unknown }): ResolvedSource[] {
  return o.analysisSource && o.ring ? [o.analysisSource, o.source] : [o.analysisSource ?? o.source];
}

/** The URL goes through a pipe: it has credentials and the caller provides pipes. */
const hidden = (o: FfmpegInputOptions, source: ResolvedSource) =>
  o.listFd !== undefined && !source.isFile && hasCredentials(source.input);

/** The pipe of input `index`, when its URL is hidden: listFd, then the next fd for the next hidden input. */
function listFdOf(o: FfmpegInputOptions & { ring?: unknown }, index: number): number | undefined {
  const inputs = inputsOf(o);
  if (!inputs[index] || !hidden(o, inputs[index]!)) return undefined;
  return o.listFd! + inputs.slice(0, index).filter((s) => hidden(o, s)).length;
}

/** Options of the demuxer that opens a source (before -i, or as `option` lines of the concat list). */
function demuxerOptions(source: ResolvedSource, o: FfmpegInputOptions): [string, string][] {
  const opts: [string, string][] = [];
  if (source.isRtsp) opts.push(['rtsp_transport', o.transport], ['timeout', String(NETWORK_TIMEOUT_US)]);
  else if (!source.isFile) opts.push(['rw_timeout', String(NETWORK_TIMEOUT_US)]);
  // Cameras: hand frames on as they arrive instead of buffering for smoother playback. Not for HLS/HTTP,
  // where nobuffer drops the packets read while probing and no frame is ever decoded.
  if (source.isRtsp) opts.push(['fflags', 'nobuffer']);
  return opts;
}

/**
 * What the caller writes to each pipe (then ends it): one ffconcat list per input whose URL has credentials,
 * fds from o.listFd up. Empty when every URL is on the command line.
 */
export function inputLists(o: FfmpegArgsOptions | FfmpegInputOptions): { fd: number; text: string }[] {
  return inputsOf(o).flatMap((source, i) => {
    const fd = listFdOf(o, i);
    return fd === undefined ? [] : [{ fd, text: concatList(source.input, demuxerOptions(source, o)) }];
  });
}

/** The options and -i of one input; `decoded` marks the one whose frames go to the detector. */
function sourceArgs(
  source: ResolvedSource,
  o: FfmpegInputOptions,
  decoded: boolean,
  listFd: number | undefined,
): string[] {
  const args: string[] = [];
  const network = !source.isFile;
  // Through a list, the source's demuxer gets its options there; the concat demuxer buffers as the source did.
  if (listFd === undefined) for (const [k, v] of demuxerOptions(source, o)) args.push(`-${k}`, v);
  else if (source.isRtsp) args.push('-fflags', 'nobuffer');
  if (network) args.push('-flags', 'low_delay');
  if (source.isFile && o.realtime) args.push('-re');
  // One decoder thread per camera: a box runs many cameras on 2 cores, so throughput is what counts, and frame
  // threading adds a frame of latency and a frame buffer per thread. Measured on the 1080p clip: 1.22 s of CPU
  // per 10.4 s with one thread vs 1.64 s with ffmpeg's automatic thread count.
  args.push('-threads', '1');
  if (decoded && o.skipLoopFilter) args.push('-skip_loop_filter', 'all');
  // A decoder option: the ring's stream copy of the same input still gets every packet.
  if (decoded && o.skipFrames && o.skipFrames !== 'none') args.push('-skip_frame', o.skipFrames);
  if (listFd !== undefined) args.push(...concatInputArgs(listFd));
  else args.push('-i', source.input);
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
  return [sampler(fps), 'showinfo=checksum=0', ...fitFilters(spec)].join(',');
}

/** Scale (+pad) of whatever picture comes in to the spec, with contentRect()'s arithmetic on its iw/ih. */
function fitFilters(spec: FrameSpec): string[] {
  const W = spec.width;
  const H = spec.height;
  if (spec.fit === 'stretch') return [`scale=${W}:${H}:flags=fast_bilinear`, `format=${spec.pixelFormat}`];
  const r = `min(${W}/iw,${H}/ih)`;
  const w = `min(${W},max(2,round(iw*${r}/2)*2))`;
  const h = `min(${H},max(2,round(ih*${r}/2)*2))`;
  const [x, y] = spec.fit === 'letterbox-center' ? ["'floor((ow-iw)/2)'", "'floor((oh-ih)/2)'"] : ['0', '0'];
  return [
    `scale=w='${w}':h='${h}':flags=fast_bilinear`,
    `format=${spec.pixelFormat}`,
    `pad=${W}:${H}:${x}:${y}:color=${padColor(spec)}`,
  ];
}

/** ffmpeg crop of a normalised rectangle with cropPixels()' arithmetic (even offsets; frame edges kept). */
function cropFilter(r: readonly number[]): string {
  const lo = (v: number, d: string) => `floor(${d}*${v}/2)*2`;
  const hi = (v: number, d: string) => (v >= 1 ? d : `floor(${d}*${v}/2)*2`);
  const x = lo(r[0]!, 'iw');
  const y = lo(r[1]!, 'ih');
  return `crop=w='max(2,${hi(r[2]!, 'iw')}-${x})':h='max(2,${hi(r[3]!, 'ih')}-${y})':x='${x}':y='${y}':exact=1`;
}

/**
 * The graph with detection crops: the sampled frame is split, the whole frame and every crop are each scaled to
 * the spec, and the pictures are stacked top to bottom into one rawvideo frame of (1 + crops) x spec bytes; no
 * full-resolution picture crosses the pipe, and the reader still reads one buffer per frame.
 */
export function cropFrameGraph(spec: FrameSpec, fps: number, crops: readonly (readonly number[])[]): string {
  const n = crops.length + 1;
  const labels = Array.from({ length: n }, (_, i) => `c${i}`);
  const chains = [
    `[0:v:0]${sampler(fps)},showinfo=checksum=0,split=${n}${labels.map((l) => `[${l}]`).join('')}`,
    `[c0]${fitFilters(spec).join(',')}[o0]`,
    ...crops.map((r, i) => `[c${i + 1}]${cropFilter(r)},${fitFilters(spec).join(',')}[o${i + 1}]`),
    `${labels.map((_, i) => `[o${i}]`).join('')}vstack=inputs=${n}[frames]`,
  ];
  return chains.join(';');
}

export function frameOutputArgs(
  spec: FrameSpec,
  fps: number,
  crops?: readonly (readonly number[])[],
): string[] {
  const graph = crops?.length
    ? ['-filter_complex', cropFrameGraph(spec, fps, crops), '-map', '[frames]', '-an', '-sn', '-dn']
    : ['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', liveFrameFilter(spec, fps)];
  return [
    ...graph,
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

/**
 * The second output: the encoded video untouched (-c copy) in MPEG-TS segments; closed segments listed on fd 3.
 * `input` is the index of the full-resolution input (1 when an analysis substream is input 0).
 */
export function ringOutputArgs(o: RingOutputOptions, input = 0): string[] {
  const bsf = RING_BSF[o.codec];
  if (!bsf) throw new Error(`MATTHAN_ERR_RING: cannot stream-copy ${o.codec} into MPEG-TS segments`);
  return [
    '-map',
    `${input}:v:0`,
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
  const args = inputArgs(o);
  // With an analysis substream the main stream is input 1 and only opened for the ring.
  const ringInput = o.analysisSource ? 1 : 0;
  if (o.ring && o.analysisSource) args.push(...sourceArgs(o.source, o, false, listFdOf(o, 1)));
  args.push(...frameOutputArgs(o.spec, o.fps, o.crops));
  if (o.ring) args.push(...ringOutputArgs(o.ring, ringInput));
  return args;
}
