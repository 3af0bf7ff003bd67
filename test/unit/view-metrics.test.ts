import { describe, expect, it } from 'vitest';
import { EdgeMetrics } from '../../edge/metrics/edge-metrics.ts';
import type { ViewGuardMetrics } from '../../edge/view/view-guard-stage.ts';

describe('edge /metrics: the view guard', () => {
  const view: ViewGuardMetrics = {
    estimates: 40,
    checks: 310,
    pauses: 2,
    pausedFrames: 17,
    measureMs: 300,
    paused: true,
    scale: 1.1,
    maxMoveNorm: 0.057,
  };
  const metrics = (views?: () => Record<string, ViewGuardMetrics>) =>
    new EdgeMetrics(
      { cameras: () => ({}), brokerConnected: () => true, eventsPublished: () => 0, views },
      { defaultMetrics: false },
    );

  it.each([
    ['matthan_edge_view_pauses_total{camera="cam-01"} 2'],
    ['matthan_edge_view_paused_frames_total{camera="cam-01"} 17'],
    ['matthan_edge_view_estimates_total{camera="cam-01"} 40'],
    ['matthan_edge_view_checks_total{camera="cam-01"} 310'],
    ['matthan_edge_view_paused{camera="cam-01"} 1'],
    ['matthan_edge_view_scale{camera="cam-01"} 1.1'],
    ['matthan_edge_view_move_ratio{camera="cam-01"} 0.057'],
  ])('exports %s', async (line) => {
    const text = await metrics(() => ({ 'cam-01': view })).registry.metrics();
    expect(text.split('\n')).toContain(line);
  });

  it('counters follow the guard between scrapes (mirrored, never reset)', async () => {
    let current = view;
    const m = metrics(() => ({ 'cam-01': current }));
    await m.registry.metrics();
    current = { ...view, pauses: 3, paused: false };
    const text = await m.registry.metrics();
    expect(text).toContain('matthan_edge_view_pauses_total{camera="cam-01"} 3');
    expect(text).toContain('matthan_edge_view_paused{camera="cam-01"} 0');
  });

  it('no view source (every guard off): no view series', async () => {
    expect(await metrics().registry.metrics()).not.toContain('matthan_edge_view_');
  });
});
