/** The parsed `SubscriptionsConfig`, for providers that need a setting. */
export const SUBSCRIPTIONS_CONFIG = Symbol('SUBSCRIPTIONS_CONFIG');
