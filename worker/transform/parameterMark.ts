/**
 * What the type removal (sucraseBundle.ts) writes before each parameter property's assignment (`this.p = p`) in a
 * constructor, so that classFields.ts knows them from a constructor's own statements; classFields.ts removes it again.
 */
export const PARAMETER_PROPERTY_MARK = '/*__coda$param*/';
