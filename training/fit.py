"""Training the residual query adapter on cached vectors: q' = normalize(q + W q), W from 0.

Loss: InfoNCE over the batch's positives (in-batch negatives) and every query's mined hard
negatives, at temperature `tau`; a candidate from a query's own gold article is masked (two
TyDi questions often share a passage). A checkpoint after each epoch; a killed run resumes
from the last one. Seeds fixed: the same data and config give the same W.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Config:
    lr: float
    tau: float
    epochs: int
    weight_decay: float = 0.01
    batch: int = 256
    seed: int = 20

    @property
    def name(self) -> str:
        return f"lr{self.lr:g}-tau{self.tau:g}-wd{self.weight_decay:g}-b{self.batch}-s{self.seed}"


@dataclass
class Examples:
    queries: np.ndarray  # [n, d]
    positives: np.ndarray  # [n, d]
    negatives: np.ndarray  # [n, hard, d]
    groups: np.ndarray  # [n] gold article of each query, as an integer
    negative_groups: np.ndarray  # [n, hard]


def adapt(weight: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    return F.normalize(queries + queries @ weight.T, dim=-1)


def _loss(weight: torch.Tensor, ex: dict[str, torch.Tensor], tau: float) -> torch.Tensor:
    q = adapt(weight, ex["queries"])
    batch, hard, dim = ex["negatives"].shape
    candidates = torch.cat([ex["positives"], ex["negatives"].reshape(batch * hard, dim)])
    groups = torch.cat([ex["groups"], ex["negative_groups"].reshape(-1)])
    logits = q @ candidates.T / tau
    same = ex["groups"][:, None] == groups[None, :]
    same[torch.arange(batch), torch.arange(batch)] = False  # the query's own positive
    logits = logits.masked_fill(same, float("-inf"))
    return F.cross_entropy(logits, torch.arange(batch))


def train(
    examples: Examples,
    config: Config,
    folder: Path,
    on_epoch: Callable[[int, np.ndarray], dict[str, float]],
) -> list[dict]:
    """Train `config.epochs` epochs, checkpointing to `folder`; `on_epoch(epoch, W)` scores
    each epoch's W (on valid). Returns each epoch's loss and scores."""
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = folder / "checkpoint.pt"
    torch.manual_seed(config.seed)
    dim = examples.queries.shape[1]
    weight = torch.zeros((dim, dim), requires_grad=True)
    optimizer = torch.optim.AdamW([weight], lr=config.lr, weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(config.seed)
    history: list[dict] = []
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        if {**state["config"], "epochs": 0} == {**asdict(config), "epochs": 0}:  # more epochs
            with torch.no_grad():
                weight.copy_(state["weight"])
            optimizer.load_state_dict(state["optimizer"])
            generator.set_state(state["generator"])
            history = state["history"]
    tensors = {
        "queries": torch.from_numpy(examples.queries),
        "positives": torch.from_numpy(examples.positives),
        "negatives": torch.from_numpy(examples.negatives),
        "groups": torch.from_numpy(examples.groups),
        "negative_groups": torch.from_numpy(examples.negative_groups),
    }
    count = len(examples.queries)
    history = history[: config.epochs]
    for epoch in range(len(history) + 1, config.epochs + 1):
        order = torch.randperm(count, generator=generator)
        losses = []
        for start in range(0, count - config.batch + 1, config.batch):
            rows = order[start : start + config.batch]
            loss = _loss(weight, {k: v[rows] for k, v in tensors.items()}, config.tau)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        scores = on_epoch(epoch, weight.detach().numpy().copy())
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), **scores})
        state = {
            "config": asdict(config),
            "weight": weight.detach().clone(),
            "optimizer": optimizer.state_dict(),
            "generator": generator.get_state(),
            "history": history,
        }
        torch.save(state, folder / "checkpoint.tmp")
        (folder / "checkpoint.tmp").replace(checkpoint)
        torch.save(weight.detach().clone(), folder / f"weight-{epoch:02d}.pt")
    return history


def weight_of(folder: Path, epoch: int) -> np.ndarray:
    return torch.load(folder / f"weight-{epoch:02d}.pt").numpy()
