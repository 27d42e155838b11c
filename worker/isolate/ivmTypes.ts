/**
 * The parts of isolated-vm's API the sandbox uses. isolated-vm is a native module loaded at run time from the
 * runtime store (never bundled, never a dependency of the extension), so its types are declared here.
 */
export interface IvmReference {
  apply(receiver: undefined, args: unknown[], options?: { timeout?: number; arguments?: { copy?: boolean }; result?: { copy?: boolean } }): Promise<unknown>;
  release(): void;
}

export interface IvmScript {
  run(context: IvmContext, options?: { timeout?: number; release?: boolean }): Promise<unknown>;
  release(): void;
}

export interface IvmContext {
  eval(code: string, options?: { timeout?: number; filename?: string }): Promise<unknown>;
  evalClosure(
    code: string,
    args: unknown[],
    options?: { filename?: string; arguments?: { copy?: boolean }; result?: { reference?: boolean } },
  ): Promise<unknown>;
  release(): void;
}

export interface IvmInspectorSession {
  dispatchProtocolMessage(message: string): void;
  dispose(): void;
  onNotification: (message: string) => void;
  onResponse: (callId: number, message: string) => void;
}

export interface IvmIsolate {
  readonly isDisposed: boolean;
  compileScript(code: string, info?: { filename?: string }): Promise<IvmScript>;
  createContext(options?: { inspector?: boolean }): Promise<IvmContext>;
  createInspectorSession(): IvmInspectorSession;
  dispose(): void;
}

export interface IvmModule {
  Isolate: new (options: { memoryLimit: number; inspector?: boolean; onCatastrophicError?: (message: string) => void }) => IvmIsolate;
  Callback: new (fn: (...args: unknown[]) => unknown) => object;
}
