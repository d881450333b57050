export { type AppDeps, buildApp, defaultLimits, type Limits } from './app.js';
export { type Config, ConfigError, configSchema, loadConfig, settings } from './config.js';
export { type RunningServer, startServer } from './server.js';
