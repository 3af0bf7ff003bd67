// Config block `central`: where evidence files are uploaded and the edge token that authorises it.
import { Type } from '@sinclair/typebox';

export const CentralUploadSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'central base URL, e.g. https://ioc.example.vn' }),
    token: Type.String({ minLength: 16, description: 'API token with role edge; use ${ENV_VAR}' }),
    timeoutS: Type.Number({
      minimum: 1,
      default: 60,
      description:
        'per-upload timeout in seconds (default 60); a 4 MB clip over a weak 4G link needs tens of seconds',
    }),
    retryMaxS: Type.Number({
      minimum: 1,
      default: 300,
      description:
        'longest wait between upload retries (default 300 s); lower recovers sooner, costs requests',
    }),
    viewSnapshotS: Type.Number({
      minimum: 0,
      maximum: 86_400,
      default: 300,
      description:
        "seconds between snapshots of each camera's live view sent to central for the cameras page (default 300; 0 = never); the first goes once the camera's ring holds a segment",
    }),
  },
  { additionalProperties: false },
);
