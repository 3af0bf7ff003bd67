// Identifier patterns shared by topics, events and config: safe as MQTT topic levels and file names.
import { Type } from '@sinclair/typebox';

/** Site and camera ids become MQTT topic levels and directory names: no '/', '+', '#', spaces or dots. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
/** Event and evidence ids: minted by the edge, URL- and file-name-safe. */
export const ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';

export const Slug = (description: string) => Type.String({ pattern: SLUG_PATTERN, description });
export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description });
