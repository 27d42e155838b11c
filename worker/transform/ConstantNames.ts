/**
 * The cells' top-level names that are constant now (a `const`, an import binding), which transformCell keeps constant
 * in the cells after (TransformOptions.constants, bindingGuards.ts): each cell's constants are added, and any other name it declares
 * (`let`, `var`, a function or class) is writable again, as re-declaring a binding at Node's REPL makes it.
 */
export class ConstantNames {
  private readonly names = new Set<string>();

  get current(): ReadonlySet<string> {
    return this.names;
  }

  /** After a cell is transformed (its declarations take effect as it starts, as its `var`s do). */
  note(cell: { readonly declared: readonly string[]; readonly constants: readonly string[] }): void {
    const constant = new Set(cell.constants);
    for (const name of cell.declared) {
      if (constant.has(name)) this.names.add(name);
      else this.names.delete(name);
    }
  }
}
