/**
 * What a notebook's kernel may do and which secrets it gets, worked out before its kernel starts:
 * - permissions declared in the notebook's metadata are shown to the user on the first run and must be granted;
 *   the answer is remembered per notebook (a changed declaration asks again);
 * - secrets the notebook names (metadata `secrets`) come from VS Code's SecretStorage, then from a `.env` file in the
 *   notebook's folder, else the user is asked for the value (stored in SecretStorage). They are injected as
 *   environment variables and masked in every output.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import {
  CAPABILITY_WORDS,
  enforcementLines,
  MIN_SECRET_LENGTH,
  permissionsKey,
  type Permissions,
  type RuntimeKind,
  type SerializedError,
} from '../../protocol';
import { parseDotenv } from '../../host/parseDotenv';
import { refusalError, resolveAccess, type KernelAccess } from '../../host/run/resolveAccess';

/** globalState key: notebook URI -> permissionsKey of what the user granted. */
export const GRANTS_KEY = 'codajs.grantedPermissions';
/** SecretStorage key prefix of a secret's value. */
export const SECRET_PREFIX = 'codajs.secret.';

export type AccessResult = { ok: true; access: KernelAccess } | { ok: false; error: SerializedError };

export class NotebookAccess {
  constructor(private readonly context: vscode.ExtensionContext) {}

  async prepare(notebook: vscode.NotebookDocument, runtime: RuntimeKind): Promise<AccessResult> {
    const outcome = await resolveAccess(notebook.metadata as Record<string, unknown>, runtime, {
      grant: (declared, installScripts) => this.granted(notebook, declared, runtime, installScripts),
      secret: (name) => this.secret(notebook, name),
    });
    return outcome.ok ? outcome : { ok: false, error: refusalError(outcome.refusal, 'editor') };
  }

  /** The access a run would get, when it needs no question to the user (else undefined): for starting kernels early. */
  async prepareSilently(notebook: vscode.NotebookDocument, runtime: RuntimeKind): Promise<KernelAccess | undefined> {
    const outcome = await resolveAccess(notebook.metadata as Record<string, unknown>, runtime, {
      grant: async (declared, installScripts) => this.alreadyGranted(notebook, declared, installScripts),
      secret: (name) => this.knownSecret(notebook, name),
    });
    return outcome.ok ? outcome.access : undefined;
  }

  private grantKey(declared: Permissions, installScripts: boolean): string {
    // opting in to install scripts later asks again
    return permissionsKey(declared) + (installScripts ? ';installScripts' : '');
  }

  private alreadyGranted(notebook: vscode.NotebookDocument, declared: Permissions, installScripts: boolean): boolean {
    return this.context.globalState.get<Record<string, string>>(GRANTS_KEY, {})[notebook.uri.toString()] === this.grantKey(declared, installScripts);
  }

  /** Asks once per notebook and declaration; remembers a grant. */
  private async granted(notebook: vscode.NotebookDocument, declared: Permissions, runtime: RuntimeKind, installScripts: boolean): Promise<boolean> {
    if (this.alreadyGranted(notebook, declared, installScripts)) return true;
    // each line says what is granted and how this runtime holds it (protocol/enforcement.ts: the docs say the same)
    const lines = enforcementLines(runtime, declared).map(({ capability: c, how }) => {
      const targets = declared[c]!.length ? declared[c]!.map((t) => (t === '*' ? vscode.l10n.t('anything') : t)).join(', ') : vscode.l10n.t('nothing');
      return `• ${CAPABILITY_WORDS[c]} ${targets}: ${how}`;
    });
    // host/deps/scriptPlan.ts decides this confinement; docs/dependencies.md says the same
    if (installScripts) {
      lines.push(
        `• ${vscode.l10n.t('Install scripts of its packages will run (allowInstallScripts). A script that is `node <file>` runs under Node\'s permission model: it reads only the package store, writes only its own package folder, has no network unless net is "*", starts no program unless run is "*", and gets none of your secrets or npm credentials. Any other script command starts programs CodaJS cannot confine: it runs, with your rights, only when run is "*", and is refused otherwise.')}`,
      );
    }
    const grant = vscode.l10n.t('Grant and Run');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} asks for these permissions', notebook.uri.path.split('/').pop() ?? notebook.uri.toString()),
      {
        modal: true,
        detail: `${lines.length ? lines.join('\n') : vscode.l10n.t('No access at all (an empty permission set).')}\n\n${vscode.l10n.t('Everything else is denied. Your answer is remembered for this notebook until its permissions change.')}`,
      },
      grant,
    );
    if (pick !== grant) return false;
    // the grants as they are after the question (another notebook may have been granted meanwhile)
    const grants = this.context.globalState.get<Record<string, string>>(GRANTS_KEY, {});
    await this.context.globalState.update(GRANTS_KEY, { ...grants, [notebook.uri.toString()]: this.grantKey(declared, installScripts) });
    return true;
  }

  /** Forgets the grant of a notebook (the next run asks again). */
  async revoke(notebook: vscode.NotebookDocument): Promise<void> {
    const grants = { ...this.context.globalState.get<Record<string, string>>(GRANTS_KEY, {}) };
    delete grants[notebook.uri.toString()];
    await this.context.globalState.update(GRANTS_KEY, grants);
  }

  private async secret(notebook: vscode.NotebookDocument, name: string): Promise<string | undefined> {
    return (await this.knownSecret(notebook, name)) ?? this.askSecret(name);
  }

  /** A secret's value from the secret storage or the notebook's .env, without asking. */
  private async knownSecret(notebook: vscode.NotebookDocument, name: string): Promise<string | undefined> {
    return (await this.context.secrets.get(SECRET_PREFIX + name)) ?? this.dotenv(notebook, name);
  }

  /** Prompts for a secret's value and stores it; undefined when the user cancels. */
  async askSecret(name: string): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('CodaJS: value of the secret {0}', name),
      prompt: vscode.l10n.t("Stored in VS Code's secret storage, injected as the environment variable {0}, and masked in every output.", name),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) =>
        v.length < MIN_SECRET_LENGTH
          ? vscode.l10n.t('A secret needs at least {0} characters (shorter values cannot be masked reliably).', MIN_SECRET_LENGTH)
          : undefined,
    });
    if (value === undefined) return undefined;
    await this.context.secrets.store(SECRET_PREFIX + name, value);
    return value;
  }

  private async dotenv(notebook: vscode.NotebookDocument, name: string): Promise<string | undefined> {
    if (notebook.uri.scheme !== 'file' || !vscode.workspace.getConfiguration('coda').get<boolean>('secrets.dotenv', true)) return undefined;
    const text = await readFile(join(dirname(notebook.uri.fsPath), '.env'), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const values = parseDotenv(text).values;
    // a secret named like an Object.prototype member (toString) must not read an inherited function
    return Object.hasOwn(values, name) ? values[name] : undefined;
  }
}
