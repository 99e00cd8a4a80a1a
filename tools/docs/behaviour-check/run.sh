#!/usr/bin/env bash
# Fixed-seed outputs of one build of the command line, to compare two builds (see README.md here):
#   run.sh LAUNCHER DATA OUT
# LAUNCHER: that build's launcher (tools/cli/lore, or tools/lore before the tools split);
# DATA: a directory with items.npy, train.csv, fewshot.csv, test-unseen.csv (one synthetic dataset,
# the same for both builds); OUT: a new directory for the outputs.
set -euo pipefail
lore=$1; data=$2; out=$3
rm -rf "$out"; mkdir -p "$out"
export LORE_NO_BUILD=1
run() { "$lore" "$@" > /dev/null 2>&1; }
for t in 1 2; do
  run train --items "$data/items.npy" --pairs "$data/train.csv" --out "$out/model-t$t.lore" --rank 5 --steps 20 --threads $t --seed 3
  run train --items "$data/items.npy" --pairs "$data/train.csv" --out "$out/model-paper-t$t.lore" --rank 5 --steps 20 --threads $t --seed 3 --paper-optimizer
  run train --items "$data/items.npy" --pairs "$data/train.csv" --out "$out/model-items-t$t.lore" --rank 3 --steps 10 --threads $t --seed 3 --layout items
done
"$lore" fit-user --model "$out/model-t1.lore" --items "$data/items.npy" --pairs "$data/fewshot.csv" --out "$out/fitted.lore" > "$out/fit-user.txt" 2>/dev/null
"$lore" fit-user --model "$out/model-t1.lore" --items "$data/items.npy" --pairs "$data/fewshot.csv" --prior 5 --out "$out/fitted-prior.lore" > "$out/fit-user-prior.txt" 2>/dev/null
"$lore" score --model "$out/fitted.lore" --items "$data/items.npy" --pairs "$data/test-unseen.csv" > "$out/score.txt" 2>/dev/null
run experiment --out "$out/exp-syn" --dataset synthetic --alpha 0.01 --seen 60 --unseen 30 --dim 64 --splits 2 --methods ref,LoRe,BT,LoRe-MLP,PAL-A,PAL-B,VPL --rank-grid 2,5 --threads 2
run experiment --out "$out/exp-jester" --dataset jester5k --splits 1 --methods LoRe,BT --rank-grid 2,5 --threads 2
run experiment --out "$out/exp-zappos" --dataset zappos5 --splits 1 --methods LoRe,BT,LoRe-MLP --rank-grid 1,2 --few-shot 5 --few-shot-grid 1,5 --threads 1
run experiment --out "$out/exp-prior" --dataset synthetic --alpha 0.1 --seen 40 --unseen 20 --dim 32 --splits 1 --methods LoRe --rank-grid none --rank 4 --prior 10 --threads 1
