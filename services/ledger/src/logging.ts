/**
 * Paths pino must never write: credentials. Request and response bodies are never logged at all
 * (fastify's request serializer writes method, url and addresses only), so personal data sent in a
 * body cannot reach the logs.
 */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'];
