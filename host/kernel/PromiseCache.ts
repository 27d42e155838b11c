/**
 * Answers computed once per key and shared by every caller while pending and after; a failed answer is forgotten,
 * so the next call asks again (a Node that could not be run may be installed or fixed meanwhile).
 */
export class PromiseCache<T> {
  private readonly answers = new Map<string, Promise<T>>();

  constructor(private readonly compute: (key: string) => Promise<T>) {}

  get(key: string): Promise<T> {
    let answer = this.answers.get(key);
    if (!answer) {
      answer = this.compute(key);
      this.answers.set(key, answer);
      answer.catch(() => this.answers.delete(key));
    }
    return answer;
  }
}
