# A training script whose data loader runs two worker processes. Under spawn (macOS, Windows)
# and forkserver (Linux from Python 3.14) each worker gets a pickled copy of the dataset, and
# two things in it cannot be pickled: the open file the dataset keeps from __init__, and the
# lambda stored as its transform.
import torch
from torch.utils.data import DataLoader, Dataset


class LineDataset(Dataset):
    def __init__(self, path, transform=None):
        self.path = path
        self.source = open(path, "rb")
        self.offsets = [0]
        for line in self.source:
            self.offsets.append(self.offsets[-1] + len(line))
        self.offsets.pop()
        self.transform = transform

    def __len__(self):
        return len(self.offsets)

    def __getitem__(self, i):
        self.source.seek(self.offsets[i])
        line = self.source.readline().decode().strip()
        return self.transform(line) if self.transform else line


def train(path):
    data = LineDataset(path, transform=lambda s: torch.tensor([float(v) for v in s.split(",")]))
    loader = DataLoader(data, batch_size=2, num_workers=2)
    for batch in loader:
        print(batch.shape)


if __name__ == "__main__":
    train("samples.csv")
