export {
  AddressAllowlistSetting,
  type AllowlistEntry,
  isStrictIp,
  parseAllowlistEntry,
  stripBrackets,
} from './allowlist';
export { AddressRules, effectivePort } from './address-rules';
export {
  type AddressPolicyOptions,
  AddressPolicy,
  type AddressRefusal,
  MAX_ADDRESS_LENGTH,
} from './address-policy';
