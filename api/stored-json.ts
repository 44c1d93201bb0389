/**
 * Routes that answer with stored documents serialize them as stored (JSON.stringify), not through the response
 * schema: a document stored before a rule or schema tightened, or written by another tool, must stay readable
 * (its status says InvalidSpec), where the schema's serializer throws on it (a 500) or drops what it does not know.
 * The schemas still describe the answers in the OpenAPI document.
 */
export const storedJson = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) } as const;
