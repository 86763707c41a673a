/** A named list of plugins (value terms, advisors): created with its entries, added to, listed; no global state. */
export class Registry<T extends { readonly name: string }> {
  private readonly entries: T[] = [];

  constructor(
    /** What an entry is, for messages ("value term", "advisor"). */
    readonly kind: string,
    entries: readonly T[] = [],
  ) {
    for (const e of entries) this.add(e);
  }

  /** Adds an entry after the others; a second entry of one name is refused. */
  add(entry: T): this {
    if (this.entries.some((e) => e.name === entry.name))
      throw new Error(`a ${this.kind} named "${entry.name}" is already registered`);
    this.entries.push(entry);
    return this;
  }

  list(): readonly T[] {
    return this.entries;
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }
}
