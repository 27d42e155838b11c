/**
 * CodaJS's own errors, in one table: a stable code, the name users see (`Name: message`), and the message as a
 * template whose `{param}` placeholders a typed factory fills. Code checks an error's `code` (isCodaError), never its
 * name or its words. Errors of the user's own code (a TypeError in a cell) are not here.
 *
 * Across processes an error stays plain data (codaError); inside one process it may be thrown as an Error carrying
 * the same code (codaErrorObject). Templates are l10n-ready: the extension host installs a translator
 * (setCodaErrorTranslator, backed by `vscode.l10n.t`) so the errors made in its process read in the user's language;
 * the kernel, the installer and `coda run` word them in English.
 */
import type { SerializedError } from './errors';

/** The table. Add an entry here (a new code, never a reused one), then create it with codaError('Code', {…}). */
export const CODA_ERRORS = {
  // the kernel and the channels to other processes
  /** A request to a process that went away; `reason` is the full sentence its owner gave ("The kernel exited …"). */
  KernelGone: { name: 'KernelGone', message: '{reason}' },
  /** A request that could not be handed to the transport. */
  SendFailed: { name: 'SendFailed', message: 'The request could not be sent: {detail}' },
  /** A cell whose kernel died while it ran; `reason` as the channel worded it. */
  KernelExited: { name: 'KernelExited', message: '{reason}' },
  KernelStartFailed: { name: 'KernelStartFailed', message: 'Could not start the CodaJS kernel with {node}: {detail}' },
  /** Anything else that stopped a kernel from starting, as the cell shows it. */
  KernelStartFailedOther: { name: 'KernelStartFailed', message: '{detail}' },
  ProtocolMismatch: {
    name: 'KernelStartFailed',
    message: 'The kernel speaks protocol {kernel}, this CodaJS speaks {host}: reinstall the extension.',
  },
  Interrupted: { name: 'Interrupted', message: 'The cell was interrupted.' },
  /** Debug Cell, Debug Scratch and checkpoints on a runtime without them (`runtime`: its label; the Sandbox). */
  DebugUnsupported: {
    name: 'DebugUnsupported',
    message:
      'Debugging and checkpoints need the Node.js or Deno kernel; the {runtime} kernel does not support them. Switch the kernel to Node.js or Deno to debug.',
  },
  /** The same on Bun, saying why: its inspector is WebKit's, not V8's. */
  DebugUnsupportedBun: {
    name: 'DebugUnsupported',
    message:
      "The Bun kernel cannot be debugged from VS Code: Bun's inspector speaks WebKit's protocol (Safari's Web Inspector), and VS Code's JavaScript debugger attaches only to V8's (Node.js, Deno, Chrome); CodaJS's checkpoints use V8's too. Switch the kernel to Node.js or Deno to debug.",
  },
  /** The inspector could not be opened (e.g. Node's permission model denies it). */
  DebugOpenFailed: { name: 'DebugOpenFailed', message: 'Could not open the debugger for this kernel: {detail}' },

  // the .coda file
  /** `problems`: each problem as "line L, column C (field): what", joined by "; ". */
  NotebookUnreadable: { name: 'NotebookUnreadable', message: 'This CodaJS notebook cannot be opened, and it was not changed. {problems}' },
  NotebookTooDeep: {
    name: 'NotebookUnsaved',
    message:
      'The notebook cannot be saved: a value in it is nested more than {maxDepth} levels deep. Remove or flatten that output (e.g. a display.json value) and save again.',
  },

  // runtimes
  NodeNotFound: {
    name: 'KernelStartFailed',
    message:
      'CodaJS needs Node.js {minVersion} or newer to run cells, and none was found on PATH. Install Node.js (https://nodejs.org) or set "coda.nodePath" to a node binary.',
  },
  NodeTooOld: {
    name: 'KernelStartFailed',
    message: 'CodaJS needs Node.js {minVersion} or newer; {path} is {version}. Install a newer Node.js or set "coda.nodePath".',
  },
  /** A configured binary (coda.nodePath, coda.denoPath, coda.bunPath) that does not run. */
  RuntimeUnusable: {
    name: 'KernelStartFailed',
    message: 'The configured {runtime} ({path}) cannot be run: {detail}. Fix {setting} or clear it to let CodaJS find {runtime} itself.',
  },
  PermissionModelUnsupported: {
    name: 'KernelStartFailed',
    message:
      'Notebook permissions need a Node.js whose permission model has --allow-inspector ({needed}): under the permission model of {version} CodaJS could not stop a running cell. Set "coda.nodePath" to a newer Node.js, or download Node.js 24 with "CodaJS: Install Runtime" (`coda runtimes fetch node`).',
  },
  PermissionProbeFailed: { name: 'KernelStartFailed', message: 'Could not ask {node} about its permission model: {detail}' },
  /** `detail` says what is missing; hosts offer the download of `packages`. */
  RuntimeMissing: {
    name: 'RuntimeMissing',
    message:
      '{detail} CodaJS can download {packages} from the npm registry (integrity checked): run "CodaJS: Install Runtime" (or `coda runtimes fetch {runtime}`).',
  },
  RuntimeUnavailable: {
    name: 'RuntimeMissing',
    message: 'No {runtime} package is published for {platform}; install it yourself and set its path in the settings.',
  },
  /** `coda run --offline` with a runtime that is not downloaded. */
  RuntimeOfflineMissing: {
    name: 'RuntimeMissing',
    message: 'The runtime store does not have {runtimes}, and --offline forbids downloading. Run once without --offline (with the network) to download it.',
  },

  // raised by the kernel while it starts (the host reports them as the start's failure)
  RuntimeNotInBuild: {
    name: 'KernelStartFailed',
    message: "The '{runtime}' runtime is not available in this version of CodaJS (available: {known}). Choose another kernel.",
  },
  SidecarBinaryNotSet: {
    name: 'KernelStartFailed',
    message: 'The {runtime} kernel needs the {runtime} binary: set "{setting}" or run "CodaJS: Install Runtime".',
  },
  SidecarBinaryMissing: { name: 'KernelStartFailed', message: 'The {runtime} binary {path} does not exist: set "{setting}" or run "CodaJS: Install Runtime".' },
  SidecarAgentMissing: { name: 'KernelStartFailed', message: "The {runtime} kernel's agent {path} is missing from this install. Reinstall CodaJS." },
  SidecarStartFailed: { name: 'KernelStartFailed', message: 'Could not start {runtime} ({path}): {detail}' },
  SandboxWithoutIsolatedVm: {
    name: 'KernelStartFailed',
    message:
      'The sandbox kernel was started without isolated-vm (InitParams.sandbox.modulesDir is missing). Run "CodaJS: Install Runtime" (it fetches Node.js 24 and isolated-vm), then run the cell again.',
  },
  SandboxWrongNode: {
    name: 'KernelStartFailed',
    message:
      'The sandbox needs Node.js {majors} to host isolated-vm, but this kernel runs on Node.js {version}. Run "CodaJS: Install Runtime" (it fetches Node.js 24 and isolated-vm), then run the cell again.',
  },
  SandboxNeedsNoSnapshot: {
    name: 'KernelStartFailed',
    message:
      'The sandbox\'s Node.js must be started with --no-node-snapshot (isolated-vm cannot run without it). Run "CodaJS: Install Runtime" (it fetches Node.js 24 and isolated-vm), then run the cell again.',
  },
  IsolatedVmUnloadable: {
    name: 'KernelStartFailed',
    message:
      'isolated-vm could not be loaded from {path}: {detail}. Run "CodaJS: Install Runtime" (it fetches Node.js 24 and isolated-vm), then run the cell again.',
  },
  TypeScriptSupportMissing: { name: 'InstallBroken', message: 'TypeScript support is missing from this install ({path}): {detail}. Reinstall CodaJS.' },
  /** A scratch file's `// @coda-runtime` comment names no runtime. */
  ScratchRuntimeUnknown: { name: 'KernelStartFailed', message: 'Unknown runtime "{runtime}" in // @coda-runtime (use node, deno, bun or sandbox).' },

  // workspace trust, permissions, secrets
  UntrustedWorkspace: {
    name: 'UntrustedWorkspace',
    message: 'CodaJS does not run code in an untrusted workspace. Trust this workspace (Workspaces: Manage Workspace Trust) to run cells.',
  },
  InvalidMetadata: {
    name: 'InvalidMetadata',
    message: 'The notebook metadata is invalid: {problem}. Fix it with "CodaJS: Manage Notebook Permissions" or in the .coda file.',
  },
  PermissionsUnsupported: {
    name: 'PermissionsUnsupported',
    message:
      "Bun cannot enforce permissions, so a Bun kernel does not run a notebook that declares them. Use the Node.js, Deno or Sandbox kernel, or remove the notebook's permissions.",
  },
  PermissionsNotGranted: {
    name: 'PermissionsNotGranted',
    message: 'The permissions this notebook asks for were not granted, so nothing ran. Run the cell again to be asked again.',
  },
  SecretMissing: {
    name: 'SecretMissing',
    message: 'The notebook uses the secret {secret}, which has no value. Run "CodaJS: Set Secret" or add it to a .env file next to the notebook.',
  },
  /** `coda run`: a secret (or several) with no value in the environment or the --env-file files. */
  SecretNotInEnvironment: { name: 'SecretMissing', message: 'the notebook uses the secret {secret}: set it in the environment or in an --env-file' },
  SecretsNotInEnvironment: { name: 'SecretMissing', message: 'the notebook uses the secrets {secrets}: set them in the environment or in an --env-file' },
  EnvFileUnreadable: { name: 'EnvFileError', message: 'cannot read the env file {file}: {detail}' },
  EnvFileInvalid: { name: 'EnvFileError', message: '{file}:{line}: {problem}' },
  /** `access` is a CAPABILITY_WORDS phrase, `entry` the target as JSON. */
  PermissionDenied: {
    name: 'PermissionDenied',
    message:
      'Permission denied: {access} {entry}. This notebook was not granted "{capability}": [{entry}]. Add it with "CodaJS: Manage Notebook Permissions" (or to the notebook\'s metadata "permissions") and run the cell again.',
  },

  // dependencies
  Cancelled: { name: 'Cancelled', message: '{what} was cancelled.' },
  DependencySpecError: { name: 'DependencySpecError', message: 'line {line}: {problem}' },
  TyposquatSuspected: {
    name: 'TyposquatSuspected',
    message:
      "'{pkg}' is one letter away from the popular package '{near}', so it was not installed: a typo, or a package posing as '{near}'. If you meant '{pkg}', confirm it with a `// @coda-dep {pkg}` comment in the cell.",
  },
  PackageNotFound: {
    name: 'PackageNotFound',
    message: "Package '{pkg}' was not found on {registry}. Check the name in the import or // @coda-dep comment.",
  },
  /** `detail` is the registry's sentence (npm's ETARGET message). */
  VersionNotFound: { name: 'VersionNotFound', message: '{detail} Change the version range, or remove it to get the latest version.' },
  /** `coda run --offline` with packages the cache does not have. */
  OfflineNotCached: {
    name: 'RegistryUnreachable',
    message: 'The cache does not have {packages}, and --offline forbids downloading. Run once without --offline (with the network) to install it.',
  },
  RegistryUnreachable: {
    name: 'RegistryUnreachable',
    message: '{host} cannot be reached ({errno}). Connect to the network (or fix the registry/proxy in .npmrc) and run the cell again.',
  },
  /** The registry is unreachable and the cache does not have everything (`packages`) to install from it alone. */
  NotCached: {
    name: 'RegistryUnreachable',
    message:
      '{host} cannot be reached and the cache does not have {packages}. Connect to the network (or fix the registry/proxy in .npmrc) and run the cell again.',
  },
  IntegrityError: {
    name: 'IntegrityError',
    message: 'A downloaded package does not match its integrity checksum ({detail}). The registry or a proxy served different bytes; the install was stopped.',
  },
  /** `packages` names what was asked; `detail` is the first line of the library's message. */
  InstallFailed: { name: 'InstallFailed', message: 'Installing {packages} failed: {detail}' },
  /** An install failure that names no package (an error without a CodaJS code reached the host). */
  InstallFailedOther: { name: 'InstallFailed', message: '{detail}' },
  /** `detail` is lockRefusedMessage's text. */
  LockRefused: { name: 'LockRefused', message: '{detail}' },
  /** `how`: "exit code 1", a signal, or the time limit; `output`: the script's last output on lines of its own, or ''. */
  InstallScriptFailed: {
    name: 'InstallFailed',
    message: 'The {event} script of {pkg} (`{command}`) failed ({how}). Nothing was installed.{output}',
  },
  InstallScriptDenied: {
    name: 'InstallFailed',
    message:
      "The {event} script of {pkg} (`{command}`) failed ({how}): it tried something the notebook's permissions do not allow install scripts. Nothing was installed.{output}",
  },
  InstallScriptRefused: {
    name: 'InstallScriptRefused',
    message: 'The {event} script of {pkg} (`{command}`) was not run: {reason}. Nothing was installed.',
  },
  InstallScriptsNeedPermissionModel: {
    name: 'InstallScriptRefused',
    message:
      'Install scripts of a notebook with permissions run under Node\'s permission model, which the installer\'s Node.js {version} lacks (Node.js 22.13 or newer has it). Set "coda.nodePath" to Node.js 24 (for `coda run`: `coda runtimes fetch node`), or remove "allowInstallScripts". Nothing was installed.',
  },
  /** Thrown inside a confined install script by its guards (scriptGuards.ts), which fill `{what}` there. */
  InstallScriptPermissionDenied: {
    name: 'PermissionDenied',
    message: 'Permission denied: {what}. Install scripts of this notebook run confined by its permissions.',
  },
  InstallScriptOutsidePackage: {
    name: 'InstallScriptRefused',
    message: 'An install script names a file outside its package ({file}); it was not run.',
  },
  RuntimeVersionNotFound: { name: 'VersionNotFound', message: "{spec} is not on {registry}. Set the runtime's path in the settings instead." },
  RuntimeRegistryUnreachable: {
    name: 'RegistryUnreachable',
    message:
      '{registry} cannot be reached ({errno}) to download {spec}. Connect to the network (or fix the registry/proxy in .npmrc), or install the runtime yourself and set its path.',
  },
  RuntimeIntegrityMissing: {
    name: 'IntegrityError',
    message: "{spec} has no sha512 integrity in the registry's metadata, so it cannot be checked; it was not installed.",
  },
  RuntimeIntegrityMismatch: {
    name: 'IntegrityError',
    message: "The downloaded {spec} does not match the registry's integrity checksum; it was not installed. A proxy or mirror served different bytes.",
  },
  RuntimeDownloadFailed: { name: 'InstallFailed', message: 'Downloading {spec} failed: {detail}' },

  // `coda` command lines (printed as `coda: <message>` above the usage)
  UsageUnknownCommand: { name: 'UsageError', message: "unknown command '{command}' (try: coda run <notebook.coda>)" },
  UsageNoNotebook: { name: 'UsageError', message: 'which notebook? coda run <notebook.coda>' },
  UsageConvert: {
    name: 'UsageError',
    message: 'coda convert <from> <to> [--force]: two files, each a notebook (.coda, .ipynb) or a script of // %% cells (.js, .ts…)',
  },
  UsageNoRuntime: { name: 'UsageError', message: 'which runtime? coda runtimes fetch <node|deno|bun|sandbox|all>' },
  UsageUnknownRuntime: { name: 'UsageError', message: "unknown runtime '{runtime}' ({known})" },
  UsageUnexpectedArgument: { name: 'UsageError', message: 'unexpected argument {argument}' },
  UsageUnknownOption: { name: 'UsageError', message: 'unknown option {flag} (a file name that starts with - goes after --)' },
  UsageTakesNoValue: { name: 'UsageError', message: '{flag} takes no value' },
  UsageNeedsValue: { name: 'UsageError', message: '{flag} needs a value' },
  /** `unit`: milliseconds or megabytes. */
  UsageNeedsNumber: { name: 'UsageError', message: '{flag} needs a number of {unit}' },
  UsageValueStartsWithDash: { name: 'UsageError', message: '{flag} needs a value (for a value that starts with -, write {flag}=<value>)' },
  UsageNumberStartsWithDash: { name: 'UsageError', message: '{flag} needs a number of {unit} (for a value that starts with -, write {flag}=<value>)' },

  // the sandbox
  SandboxOutOfMemory: {
    name: 'SandboxError',
    message:
      'The sandbox ran out of memory (limit {memoryMb} MB) and was stopped; its variables are lost and the next run starts a fresh sandbox. Use less memory, or raise "coda.sandbox.memoryMb".',
  },
  SandboxCellTimeout: {
    name: 'SandboxError',
    message:
      'The cell ran for more than {timeoutMs} ms without pausing and was stopped (the sandbox\'s time limit, "coda.sandbox.cellTimeoutMs"). The sandbox\'s variables are kept.',
  },
  /** An unhandled rejection in the Sandbox whose reason is an object that is not an Error (isolated-vm copies only an Error). */
  SandboxReasonNotCopied: {
    name: 'SandboxError',
    message:
      'A promise was rejected with an object that is not an Error, and nothing handled it. The sandbox can show only an Error as such a rejection: reject with an Error, or handle the promise.',
  },
  /** `reason` completes "The sandbox …" (e.g. "stopped unexpectedly"). */
  SandboxLost: { name: 'SandboxError', message: 'The sandbox {reason}; its variables are lost and the next run starts a fresh sandbox.' },
  SandboxImport: {
    name: 'ImportError',
    message:
      'The sandbox cannot import modules: import of {spec} (line {line}). There is no module loader, file system or package inside the sandbox; use the Node.js kernel for packages.',
  },
  /** `runtime`: the kernel's runtime and version (`Node v20.20.2`); `spec`: the specifier, quoted. */
  TypeScriptFileUnsupported: {
    name: 'ImportError',
    message:
      '{runtime} cannot require the TypeScript file {spec}: import it instead (`import … from {spec}`: CodaJS strips its types), run this notebook on Node 24 or later, Deno or Bun, or write that module in JavaScript.',
  },
  /** `runtime`: the kernel's runtime and version (`Node v20.20.2`). */
  UsingUnsupported: {
    name: 'SyntaxError',
    message:
      '`using` declarations need a runtime with explicit resource management, which {runtime} does not have: run this notebook on Node 24 or later, Deno or Bun.',
  },
  /** A TypeScript cell's dotted `namespace A.B {}` holding values (worker/transform/lowerNamespaces.ts compiles the others). */
  NamespaceWithValues: {
    name: 'SyntaxError',
    message:
      'A namespace with a dotted name (`namespace A.B`) that holds values cannot run in a cell: nest the namespaces instead (`export namespace B` inside `namespace A`), which CodaJS compiles as TypeScript does.',
  },
  ImportAssertionSyntax: {
    name: 'SyntaxError',
    message:
      '`assert` after an import is the old form of import attributes, which Node 22 and later, Deno and TypeScript no longer take: write `with` in its place (a .json import may leave the attribute out).',
  },
  /**
   * A decorator where standard decorators cannot stand (worker/transform/lowerDecorators.ts compiles the ones before a
   * class or a class member): before a parameter, a constructor, a static block, a function or an object literal's member.
   */
  DecoratorsUnsupported: {
    name: 'SyntaxError',
    message:
      "A decorator can only come before a class or a class member (a method, getter, setter, field or accessor), or before a parameter of a class's method or constructor when a tsconfig.json beside the notebook turns on TypeScript's experimentalDecorators; call the decorator as a function there instead.",
  },
  /** Thrown into the cell as a RangeError (what it catches), with this code. */
  SandboxTooManyTimers: { name: 'RangeError', message: 'The sandbox allows at most {max} live timers and fetches; clear some first' },
  SandboxTooManyFetches: { name: 'RangeError', message: 'The sandbox allows at most {max} fetches at once' },
  /** `mb`: fetched responses (base64) the host holds for the isolate; `limit`: the sandbox's memory limit in MB. */
  SandboxFetchBacklog: {
    name: 'RangeError',
    message:
      'The sandbox holds {mb} MB of fetched responses that its code has not taken in yet (they arrive when the running code pauses), over its memory limit of {limit} MB; await the fetches before starting more',
  },

  // kernel plugins (protocol/plugins.ts, docs/plugins.md)
  /** `detail`: the plugin's own error, `Name: message`. */
  PluginLoadFailed: { name: 'PluginError', message: "The plugin '{plugin}' could not be loaded: {detail}. The notebook's other cells run without it." },
  PluginNotAPlugin: {
    name: 'PluginError',
    message: "The plugin '{plugin}' does not export a CodaJS plugin (an object with a name and hooks, or a function returning one).",
  },
  /** A hook that threw: `hook` is setup, transformCell, beforeExecute, afterExecute or displayValue. */
  PluginFailed: { name: 'PluginError', message: "The plugin '{plugin}' failed in {hook}: {detail}" },
  PluginTransformMovedLines: {
    name: 'PluginError',
    message: "The plugin '{plugin}' changed the cell from {before} to {after} lines in transformCell; transforms must keep every line where it is.",
  },
  /** The extension API's runInKernel on a notebook whose kernel is not running. */
  KernelNotRunning: { name: 'KernelNotRunning', message: 'The notebook {notebook} has no running CodaJS kernel: run one of its cells first.' },
  PluginsUnsupported: {
    name: 'PluginError',
    message:
      'The {runtime} kernel cannot load plugins ({plugins}): nothing of a plugin may enter it. Use the Node.js, Deno or Bun kernel, or remove the plugins.',
  },
} as const satisfies Record<string, { readonly name: string; readonly message: string }>;

export type CodaErrorCode = keyof typeof CODA_ERRORS;

/** The `{param}` names of a template. */
type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
export type CodaErrorParams<C extends CodaErrorCode> = { readonly [K in Placeholders<(typeof CODA_ERRORS)[C]['message']>]: string | number };
/** No argument for a template without placeholders, else its params. */
type ParamsArg<C extends CodaErrorCode> = [Placeholders<(typeof CODA_ERRORS)[C]['message']>] extends [never] ? [] : [params: CodaErrorParams<C>];

/** A catalogue error as plain data: `code` says which entry it is. */
export type CodaSerializedError<C extends CodaErrorCode = CodaErrorCode> = SerializedError & { code: C };

/** Turns a template and its params into text; the extension host installs `vscode.l10n.t` (named arguments). */
export type CodaErrorTranslator = (template: string, params: Readonly<Record<string, string | number>>) => string;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Fills `{param}` placeholders (English, the templates as written). */
export function fillTemplate(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => (Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : whole));
}

let translate: CodaErrorTranslator = fillTemplate;

/** Sets how this process words catalogue templates; returns a function that restores the previous one. */
export function setCodaErrorTranslator(t: CodaErrorTranslator): () => void {
  const previous = translate;
  translate = t;
  return () => {
    translate = previous;
  };
}

/** The user-facing message of a catalogue entry, in this process's language. */
export function codaErrorMessage<C extends CodaErrorCode>(code: C, ...args: ParamsArg<C>): string {
  const params: Readonly<Record<string, string | number>> = args[0] ?? {};
  const template = CODA_ERRORS[code].message;
  try {
    return translate(template, params);
  } catch {
    return fillTemplate(template, params);
  }
}

/** The plain-data error of a catalogue entry (what crosses processes and becomes a cell output). */
export function codaError<C extends CodaErrorCode>(code: C, ...args: ParamsArg<C>): CodaSerializedError<C> {
  return { name: CODA_ERRORS[code].name, message: codaErrorMessage(code, ...args), code };
}

/** An Error thrown inside one process that carries a catalogue code; toSerializedError keeps the code. */
export class CodaError<C extends CodaErrorCode = CodaErrorCode> extends Error {
  readonly code: C;
  /** Facts for code on the other side (e.g. `package`, as JSON), crossing as SerializedError.props. */
  props?: Record<string, string>;
  constructor(code: C, message: string) {
    super(message);
    this.name = CODA_ERRORS[code].name;
    this.code = code;
  }
}

/** The catalogue error as a thrown Error. */
export function codaErrorObject<C extends CodaErrorCode>(code: C, ...args: ParamsArg<C>): CodaError<C> {
  return new CodaError(code, codaErrorMessage(code, ...args));
}

/** Whether `code` is one of the catalogue's. */
export function isCodaErrorCode(code: unknown): code is CodaErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(CODA_ERRORS, code);
}

/**
 * Whether `e` (plain data or a CodaError) is a catalogue error, of `code` when given. Reads only `code`: what an error
 * says never decides what it is.
 */
export function isCodaError<C extends CodaErrorCode>(e: unknown, code?: C): e is CodaSerializedError<C> {
  if (e === null || typeof e !== 'object') return false;
  const c = (e as { code?: unknown }).code;
  if (code !== undefined ? c !== code : !isCodaErrorCode(c)) return false;
  // plain data from another process, or this process's CodaError: never a user's Error that happens to have a `code`
  const proto: unknown = Object.getPrototypeOf(e);
  return e instanceof CodaError || proto === Object.prototype || proto === null;
}

/** The plain data of a thrown catalogue error (a CodaError, or catalogue data rethrown as is; no host stack); undefined otherwise. */
export function asCodaError(thrown: unknown): CodaSerializedError | undefined {
  if (!isCodaError(thrown)) return undefined;
  const out: CodaSerializedError = { name: thrown.name, message: thrown.message, code: thrown.code };
  if (thrown.props) out.props = { ...thrown.props };
  return out;
}
