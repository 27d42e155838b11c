/**
 * The CodaJS notebook renderer (runs in the output webview): console output, the object inspector and
 * errors. Each output gets its own root element; nothing is written as HTML. The API's types are
 * vscode-notebook-renderer's.
 */
import type { ActivationFunction, OutputItem, RendererContext } from 'vscode-notebook-renderer';
import type { StackFrame } from '../protocol/errors';
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type ConsoleOutput, type ErrorOutput, type ValueOutput } from '../protocol/outputs';
import { renderConsole } from './ConsoleView';
import { h } from './dom';
import { renderError } from './ErrorView';
import { HostLink, revealMessage } from './messaging';
import { renderValue } from './ObjectTree';
import { ensureStyles } from './styles';

export const activate = ((ctx: RendererContext<void>) => {
  // one style sheet for every output in this document, as VS Code's own renderers do
  ensureStyles(document);
  const link = new HostLink(ctx);
  const expander = link.available ? link : undefined;
  const label = () => '';
  const reveal = link.available ? (f: StackFrame) => void revealMessage(f, (m) => link.post(m)) : undefined;
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement) {
      let content: HTMLElement;
      try {
        switch (item.mime) {
          case MIME_CONSOLE:
            content = renderConsole(item.json() as ConsoleOutput, { expander, reveal, label, showAll: expander ? () => link.showAll(item.id) : undefined });
            break;
          case MIME_VALUE:
            content = renderValue((item.json() as ValueOutput).value, expander);
            break;
          case MIME_ERROR:
            content = renderError(item.json() as ErrorOutput, label, reveal);
            break;
          default:
            content = h('div', { class: 'coda-hint', text: `CodaJS cannot show ${item.mime}` });
        }
      } catch (err) {
        content = h('div', { class: 'coda-error-head', text: `CodaJS could not show this output: ${String(err)}` });
      }
      const stick = element.scrollTop + element.clientHeight >= element.scrollHeight - 4;
      element.replaceChildren(h('div', { class: 'coda-output', attrs: { 'data-mime': item.mime } }, content));
      if (stick) element.scrollTop = element.scrollHeight;
    },
    disposeOutputItem() {
      // nothing is held per output beyond its DOM, which VS Code removes
    },
  };
}) satisfies ActivationFunction<void>;
