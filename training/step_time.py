"""What one training step of the bundled cross-encoder costs on this machine.

    python training/step_time.py [--steps 3] [--batch 16] [--tokens 210]

The model training/reranker.py trains (qa/search/rerank_model.py): the bundled
multilingual-e5-small as a BERT with a one-logit head over (question, passage) pairs, its
word embeddings and first layers frozen, in bfloat16 where the CPU computes it. Times
forward + backward + AdamW on random token ids of the given length; prints the mean seconds
per step after one warm-up step, and what an epoch of 10k pairs costs.
"""

import argparse
import time

import torch

from qa.embedders.e5 import autocast_dtype
from qa.search.rerank_model import base_model, trained_parameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=210)
    args = parser.parse_args()
    torch.manual_seed(20)
    model, _ = base_model()
    trained = trained_parameters(model)
    optimizer = torch.optim.AdamW(trained, lr=2e-5)
    half = autocast_dtype("cpu")
    ids = torch.randint(5, model.config.vocab_size, (args.batch, args.tokens))
    labels = torch.rand(args.batch, 1)
    times = []
    for _ in range(args.steps + 1):
        started = time.perf_counter()
        with torch.autocast("cpu", dtype=half or torch.float32, enabled=bool(half)):
            logits = model(input_ids=ids).logits
        loss = torch.nn.functional.mse_loss(logits.float(), labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - started)
    step = sum(times[1:]) / args.steps
    count = sum(p.numel() for p in trained)
    print(
        f"{step:.1f} s per step of {args.batch} pairs x {args.tokens} tokens "
        f"({count / 1e6:.1f}M trained parameters, {torch.get_num_threads()} threads, "
        f"{half or 'float32'}); 10k pairs: {10_000 / args.batch * step / 3600:.1f} h per epoch"
    )


if __name__ == "__main__":
    main()
