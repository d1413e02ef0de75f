export { Notifier } from './notifier.js';
export { webhookBody, type Notification } from './payloads.js';
