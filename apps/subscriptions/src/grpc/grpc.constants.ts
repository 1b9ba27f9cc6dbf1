/** The admin API's protobuf package and its services. */
export const ADMIN_PACKAGE = 'switchboard.admin.v1';
export const ADMIN_SERVICES = [
  'Businesses',
  'Sources',
  'Webhooks',
  'Deliveries',
  'Events',
  'DataKeys',
] as const;
