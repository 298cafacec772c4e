# A scoring service that fans work out to a process pool. Three things cannot cross:
# the model keeps an RLock (pickled with the bound method), the lambda has no importable
# name, and `normalise` exists only under the __main__ guard, so a spawned worker cannot find it.
import threading
from concurrent.futures import ProcessPoolExecutor


class Model:
    def __init__(self, weights):
        self.weights = weights
        self._lock = threading.RLock()

    def score(self, features):
        with self._lock:
            return sum(w * f for w, f in zip(self.weights, features))


def main(rows):
    model = Model([0.5, 0.25])
    with ProcessPoolExecutor() as pool:
        scores = list(pool.map(model.score, rows))
        ranked = list(pool.map(lambda s: round(s, 2), scores))
    return ranked


if __name__ == "__main__":

    def normalise(row):
        return [v / 10 for v in row]

    with ProcessPoolExecutor() as pool:
        rows = list(pool.map(normalise, [[1, 2], [3, 4]]))
    print(main(rows))
