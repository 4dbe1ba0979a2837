export * from './dispatch.js';
export * from './feedback.js';
export * from './messaging.js';
export * from './okr.js';
export * from './organisation.js';
export * from './sessions.js';
export * from './wecom.js';
export * from './work.js';
