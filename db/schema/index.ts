export * from './customers.ts';
export * from './operators.ts';
export * from './events.ts';
export * from './requests.ts';
export * from './notifications.ts';
export * from './profiles.ts';
export * from './plans.ts';
export * from './subscriptions.ts';
