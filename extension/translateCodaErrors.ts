/**
 * Catalogue errors made in the extension host (protocol/codaErrors.ts) read in the user's language: their templates
 * go through `vscode.l10n.t` with named arguments. Errors worded in another process (kernel, installer) arrive in
 * English.
 */
import * as vscode from 'vscode';
import { setCodaErrorTranslator } from '../protocol';

export function translateCodaErrors(): vscode.Disposable {
  return new vscode.Disposable(setCodaErrorTranslator((template, params) => vscode.l10n.t(template, { ...params })));
}
