#!/usr/bin/env bash
set -euo pipefail
for c in 0.1 0.5 1.0; do
  python train.py --C "$c"
done
