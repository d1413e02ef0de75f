export { configSchema, type Config, type DatabaseConfig, type OffsiteConfig } from './schema.js';
export { loadConfig, parseConfig, configPath, DEFAULT_CONFIG_PATH } from './load.js';
