export { configSchema, type Config, type DatabaseConfig } from './schema.js';
export { loadConfig, parseConfig, configPath, formatIssues, validate, DEFAULT_CONFIG_PATH } from './load.js';
