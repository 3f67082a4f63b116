/**
 * One device's read answers for the life of the plugin process, which the Pulumi CLI starts afresh for every
 * command. Identical reads share one request, whether they are made together or one after the other (several
 * resources of a camera read its certificate list during one refresh, seconds apart on a busy machine),
 * until one of our own writes changes what they read. A write forgets the answers it may change both when it
 * starts and when it ends, so a read made while the write was in flight is never kept.
 *
 * Answers are grouped by the operation that reads them ("GetCertificates"); a write names the groups it
 * changes, or changes them all.
 */
export class ReadAnswers {
  private readonly groups = new Map<string, Map<string, Promise<unknown>>>();

  read<T>(group: string, key: string, fetch: () => Promise<T>): Promise<T> {
    let answers = this.groups.get(group);
    if (!answers) {
      answers = new Map();
      this.groups.set(group, answers);
    }
    const known = answers.get(key) as Promise<T> | undefined;
    if (known) return known;
    const asked = fetch();
    answers.set(key, asked);
    // A failed read is never an answer: the next caller asks again.
    asked.catch(() => {
      if (answers.get(key) === asked) answers.delete(key);
    });
    return asked;
  }

  async write<T>(changes: readonly string[] | "all", send: () => Promise<T>): Promise<T> {
    this.forget(changes);
    try {
      return await send();
    } finally {
      this.forget(changes);
    }
  }

  /** Forgets the given groups' answers (all of them by default), e.g. when the device may have changed. */
  forget(changes: readonly string[] | "all" = "all"): void {
    if (changes === "all") this.groups.clear();
    else for (const group of changes) this.groups.delete(group);
  }
}
