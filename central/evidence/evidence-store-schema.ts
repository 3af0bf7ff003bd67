// Config of where central keeps evidence bytes (`evidence.store`): the local evidence dir or an S3-compatible bucket.
import { type Static, Type } from '@sinclair/typebox';

export const S3StoreConfigSchema = Type.Object(
  {
    endpoint: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description:
          'URL of the S3-compatible service (http://minio.ioc.local:9000, a Ceph RGW). Omitted: the AWS endpoint ' +
          'of `region`. Use https outside a closed network: evidence and credentials cross it',
      }),
    ),
    region: Type.String({
      minLength: 1,
      default: 'us-east-1',
      description: 'region signed into requests (default us-east-1, which MinIO and Ceph accept)',
    }),
    bucket: Type.String({
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      description:
        'bucket name (3-63 lowercase letters, digits, dots, hyphens); created by the operator, not by central',
    }),
    prefix: Type.String({
      pattern: '^([A-Za-z0-9_.-]+/)*$',
      default: 'evidence/',
      description:
        "key prefix under which central writes (default 'evidence/'; '' = bucket root). Objects are " +
        '<prefix><2 id chars>/<id>, uploads in flight <prefix>.staging/. Give each deployment its own prefix or bucket',
    }),
    forcePathStyle: Type.Boolean({
      default: true,
      description:
        'path-style URLs (endpoint/bucket/key), default true: what MinIO and most self-hosted stores need. false for ' +
        'virtual-hosted buckets (bucket.endpoint), which AWS prefers',
    }),
    accessKeyId: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 128,
        description:
          'access key; use ${ENV_VAR}, never a literal in the file. Omitted (with secretAccessKey): the SDK default ' +
          'chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, an instance role)',
      }),
    ),
    secretAccessKey: Type.Optional(
      Type.String({
        minLength: 6,
        maxLength: 512,
        description: 'secret key; use ${ENV_VAR}, never a literal in the file. Goes with accessKeyId',
      }),
    ),
    partSizeMiB: Type.Integer({
      minimum: 5,
      maximum: 512,
      default: 8,
      description:
        'multipart upload part size in MiB (default 8; S3 minimum 5). An upload holds up to queueSize parts in ' +
        'memory: raising it means fewer requests per clip and more memory per concurrent upload',
    }),
    queueSize: Type.Integer({
      minimum: 1,
      maximum: 16,
      default: 2,
      description:
        'parts of one upload sent at once (default 2). Raising it speeds large uploads over a high-latency link ' +
        'at queueSize × partSizeMiB of memory per upload',
    }),
  },
  { additionalProperties: false },
);

export const EvidenceStoreConfigSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('fs'), Type.Literal('s3')], {
      default: 'fs',
      description:
        "'fs' (default): files under evidence.dir on central's disk; simple, one machine. 's3': objects in an " +
        'S3-compatible bucket (evidence.store.s3), for several central replicas or more evidence than one disk ' +
        'holds; each read and write is then a network round trip. Metadata (digests, retention) stays in the database',
    }),
    s3: Type.Optional(S3StoreConfigSchema),
  },
  { additionalProperties: false, default: {} },
);
export type EvidenceStoreConfig = Static<typeof EvidenceStoreConfigSchema>;
