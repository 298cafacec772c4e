# A crawler that hands a thread queue to worker processes: under spawn (and Python 3.14's
# forkserver default) Process.start() dies with "cannot pickle '_thread.lock' object".
# `npx sendcheck --fix examples/python/crawler.py` switches it to multiprocessing.Queue.
from multiprocessing import Process
from queue import Empty, Queue


def fetch(urls):
    while True:
        try:
            url = urls.get(timeout=1)
        except Empty:
            return
        print("fetching", url)


def main():
    urls = Queue()
    for u in ["https://example.org/a", "https://example.org/b"]:
        urls.put(u)
    workers = [Process(target=fetch, args=(urls,)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


if __name__ == "__main__":
    main()
