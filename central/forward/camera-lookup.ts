// The inventory entry of an incident's camera, by site and camera: camera ids repeat across sites (every box has a
// cam-1), so an id alone would send another site's name and position to the IOC.
import type { CameraInfo } from './forwarder.ts';

export function findCamera(
  cameras: readonly CameraInfo[],
  site: string,
  camera: string,
): CameraInfo | undefined {
  return cameras.find((c) => c.site === site && c.id === camera);
}
