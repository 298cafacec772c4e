# A crawler that hands a thread queue to worker processes: under spawn Process.start() dies
# with "cannot pickle '_thread.lock' object".
from multiprocessing import Process
from queue import Queue


def fetch(urls):
    while not urls.empty():
        print("fetching", urls.get())


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
