/**
 * The environment user code may see. Unrestricted notebooks see the kernel's environment plus their secrets;
 * a notebook with declared permissions sees only the variables its `env` capability names, plus its secrets
 * (injected on purpose, always masked in output).
 */
import { allowsName, type Permissions } from '../protocol';

export function userEnvironment(
  processEnv: Record<string, string | undefined>,
  permissions: Permissions | undefined,
  secrets: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(processEnv)) {
    if (value !== undefined && allowsName(permissions, 'env', name)) out[name] = value;
  }
  return Object.assign(out, secrets);
}
