#!/usr/bin/env python3
"""Runs SimFaaS's README scenario (pacslab/simfaas, PyPI `simfaas`) and prints one JSON line.

Scenario: Poisson arrivals 0.9 req/s, warm service exponential with mean 1.991 s, cold service
exponential with mean 2.244 s, expiration threshold 600 s, simulated for HORIZON seconds.
Usage: simfaas_driver.py HORIZON_S SEED
"""
import json
import sys
import time

import numpy as np
from simfaas.ServerlessSimulator import ServerlessSimulator

horizon = float(sys.argv[1])
seed = int(sys.argv[2])
np.random.seed(seed)
sim = ServerlessSimulator(
    arrival_rate=0.9,
    warm_service_rate=1 / 1.991,
    cold_service_rate=1 / 2.244,
    expiration_threshold=600,
    max_time=horizon,
)
t0 = time.perf_counter()
sim.generate_trace(debug_print=False, progress=False)
wall = time.perf_counter() - t0
r = sim.get_result_dict()
print(json.dumps({
    "seed": seed,
    "prob_cold": r["prob_cold"],
    "reqs_total": r["reqs_total"],
    "inst_count_avg": r["inst_count_avg"],
    "inst_running_count_avg": r["inst_running_count_avg"],
    "inst_idle_count_avg": r["inst_idle_count_avg"],
    "wall_s": wall,
}))
