/** The parts of VS Code's notebook renderer API CodaJS uses (vscode-notebook-renderer). */
export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
  text(): string;
}

export interface RendererContext<T = unknown> {
  readonly postMessage?: (message: T) => void;
  readonly onDidReceiveMessage?: (listener: (message: unknown) => void) => { dispose(): void };
  readonly workspace: { readonly isTrusted: boolean };
}

export interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

export type ActivationFunction<T = unknown> = (context: RendererContext<T>) => RendererApi;
