// The keys that mark a preview environment, apart from specs/preview.ts so the CLI reads them without loading
// the schemas (cli/main.ts: client commands start light).

/** Label: the name of the environment a preview copies. */
export const PREVIEW_OF_LABEL = 'terrace.dev/preview-of';
/** Annotation: when the controller deletes the preview (RFC 3339); written only by the preview routes. */
export const EXPIRES_AT_ANNOTATION = 'terrace.dev/expires-at';
