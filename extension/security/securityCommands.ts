/**
 * Commands for a notebook's permissions and secrets. Both live in the notebook's metadata (what is declared);
 * grants live in the extension's global state and secret values in VS Code's SecretStorage, never in the file.
 */
import * as vscode from 'vscode';
import {
  CAPABILITIES,
  CAPABILITY_WORDS,
  METADATA_PERMISSIONS,
  METADATA_SECRETS,
  parsePermissions,
  parseSecretNames,
  type Capability,
  type Permissions,
} from '../../protocol';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import { SECRET_PREFIX, type NotebookAccess } from './NotebookAccess';

const HINTS: Record<Capability, string> = {
  net: 'api.example.com, localhost:8080, *.example.org, or *',
  read: './data, /abs/path, or *',
  write: './out, /tmp, or *',
  env: 'HOME, API_URL, or *',
  run: 'git, ls, /usr/bin/convert, or *',
};

function notebook(): vscode.NotebookDocument | undefined {
  const nb = vscode.window.activeNotebookEditor?.notebook;
  if (nb?.notebookType === CODA_NOTEBOOK_TYPE) return nb;
  void vscode.window.showWarningMessage(vscode.l10n.t('Open a CodaJS notebook first.'));
  return undefined;
}

async function updateMetadata(nb: vscode.NotebookDocument, patch: Record<string, unknown>): Promise<void> {
  const meta: Record<string, unknown> = { ...(nb.metadata as Record<string, unknown>), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete meta[k];
  const edit = new vscode.WorkspaceEdit();
  edit.set(nb.uri, [vscode.NotebookEdit.updateNotebookMetadata(meta)]);
  await vscode.workspace.applyEdit(edit);
}

async function managePermissions(access: Pick<NotebookAccess, 'revoke'>): Promise<void> {
  const nb = notebook();
  if (!nb) return;
  let current: Permissions | undefined;
  try {
    current = parsePermissions((nb.metadata as Record<string, unknown>)[METADATA_PERMISSIONS]);
  } catch {
    current = {};
  }
  type Item = vscode.QuickPickItem & { cap?: Capability; action?: 'restrict' | 'unrestrict' | 'revoke' };
  const items: Item[] = current
    ? [
        ...CAPABILITIES.map((cap) => ({
          label: cap,
          description: current![cap]?.join(', ') || vscode.l10n.t('nothing granted'),
          detail: CAPABILITY_WORDS[cap],
          cap,
        })),
        { label: vscode.l10n.t('Forget my grant'), detail: vscode.l10n.t('The next run asks again'), action: 'revoke' as const },
        {
          label: vscode.l10n.t('Remove all restrictions'),
          detail: vscode.l10n.t('Node, Deno and Bun then run with full access (the sandbox still grants nothing)'),
          action: 'unrestrict' as const,
        },
      ]
    : [
        {
          label: vscode.l10n.t('Restrict this notebook'),
          detail: vscode.l10n.t('Start from no access at all, then grant capabilities one by one'),
          action: 'restrict' as const,
        },
      ];
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('CodaJS: permissions of this notebook') });
  if (!pick) return;
  if (pick.action === 'restrict') return updateMetadata(nb, { [METADATA_PERMISSIONS]: {} });
  if (pick.action === 'unrestrict') return updateMetadata(nb, { [METADATA_PERMISSIONS]: undefined });
  if (pick.action === 'revoke') return access.revoke(nb);
  const cap = pick.cap!;
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('CodaJS: {0} ({1})', cap, CAPABILITY_WORDS[cap]),
    prompt: vscode.l10n.t('Comma-separated, e.g. {0}. Empty grants nothing.', HINTS[cap]),
    value: current![cap]?.join(', ') ?? '',
  });
  if (text === undefined) return;
  const list = [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  const next: Permissions = { ...current };
  if (list.length) next[cap] = list;
  else delete next[cap];
  await updateMetadata(nb, { [METADATA_PERMISSIONS]: next });
}

async function setSecret(access: Pick<NotebookAccess, 'askSecret'>): Promise<void> {
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('CodaJS: secret name'),
    prompt: vscode.l10n.t('The environment variable the notebook reads, e.g. OPENAI_API_KEY'),
    validateInput: (v) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : vscode.l10n.t('Use letters, digits and _ (not starting with a digit)')),
  });
  if (!name || (await access.askSecret(name)) === undefined) return;
  const nb = vscode.window.activeNotebookEditor?.notebook;
  if (nb?.notebookType !== CODA_NOTEBOOK_TYPE) return;
  const names = safeNames(nb);
  if (!names.includes(name)) await updateMetadata(nb, { [METADATA_SECRETS]: [...names, name] });
}

async function removeSecret(context: vscode.ExtensionContext): Promise<void> {
  const nb = notebook();
  if (!nb) return;
  const name = await vscode.window.showQuickPick(safeNames(nb), { title: vscode.l10n.t('CodaJS: remove a secret from this notebook (and its stored value)') });
  if (!name) return;
  await context.secrets.delete(SECRET_PREFIX + name);
  const rest = safeNames(nb).filter((n) => n !== name);
  await updateMetadata(nb, { [METADATA_SECRETS]: rest.length ? rest : undefined });
}

function safeNames(nb: vscode.NotebookDocument): string[] {
  try {
    return parseSecretNames((nb.metadata as Record<string, unknown>)[METADATA_SECRETS]);
  } catch {
    return [];
  }
}

export function registerSecurityCommands(context: vscode.ExtensionContext, access: NotebookAccess): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('codajs.managePermissions', () => managePermissions(access)),
    vscode.commands.registerCommand('codajs.setSecret', () => setSecret(access)),
    vscode.commands.registerCommand('codajs.removeSecret', () => removeSecret(context)),
  );
}
