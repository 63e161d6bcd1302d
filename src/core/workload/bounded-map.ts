/**
 * A map that forgets its least recently used keys beyond a limit (lru-cache: a plain Map that
 * deletes its oldest key slows down as deleted slots pile up), so detector state keyed by
 * connection or statement text stays bounded however long a recording runs.
 */
import { LRUCache } from 'lru-cache';

export class BoundedMap<K extends NonNullable<unknown>, V extends NonNullable<unknown>> extends LRUCache<K, V> {
  constructor(limit: number) {
    super({ max: limit });
  }
}

/** The most recent `capacity` items, oldest first. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  toArray(): T[] {
    return this.items.length < this.capacity ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }

  get length(): number {
    return this.items.length;
  }
}
