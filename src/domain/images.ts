/** A managed service's image pinned by digest (`repo@sha256:…`), by compose service name. */
export type ImagePins = Record<string, string>;
