// A Pinia store with an undo checkpoint and a background price check. The store and its state
// are Vue reactive proxies: structuredClone and the worker's postMessage throw DataCloneError.
import { defineStore } from 'pinia';
import { toRaw } from 'vue';

interface Line {
  sku: string;
  qty: number;
}

const pricing = new Worker(new URL('./pricing-worker.ts', import.meta.url), { type: 'module' });

export const useCartStore = defineStore('cart', {
  state: () => ({ lines: [] as Line[], coupon: null as string | null }),
  actions: {
    add(line: Line) {
      const undo = structuredClone(this.$state);
      this.lines.push(line);
      pricing.postMessage({ lines: this.lines, coupon: this.coupon });
      return undo;
    },
    // Fine: the plain data behind the proxy.
    save() {
      localStorage.setItem('cart', JSON.stringify(toRaw(this.$state)));
    },
  },
});
