#!/usr/bin/env python3
"""gen-scale.py KIND N: writes to stdout a scenario that is big in one dimension, for the
scale checks (tests/scenarios.d/scale.sh) and the fuzz seeds. Nothing big is committed:
the files are made on the fly.

  nodes N      N services: a chain of min(N, 100) synchronous calls from the entry, the rest
               uncalled
  chain N      a chain of N synchronous calls (the cycle check walks all of it)
  cycle N      a chain of N calls whose last service calls the first's successor: a cycle
  faults N     N crash faults on the instances of one service
  schedule N   N rate changes in the workload's schedule
  instances N  one service of N instances
  backends N   a load balancer over N services, each listed once
  fleet N      a load balancer with health checks over a service of N instances (a figure
               per backend instance)
"""
import json
import sys


def service(calls=None, instances=1):
    s = {"type": "service", "instances": instances, "workers": 4, "queue": 100,
         "service_time": {"dist": "exp", "mean": "1ms"}}
    if calls:
        s["calls"] = [{"to": c} for c in calls]
    return s


def base(duration="1s"):
    return {"name": "scale", "seed": 1, "duration": duration, "warmup": "0s",
            "replications": 1,
            "workload": {"entry": "s0", "arrivals": {"process": "poisson", "rate": 100}},
            "nodes": {}}


def chain(sc, n, called):
    for i in range(n):
        nxt = ["s%d" % (i + 1)] if i + 1 < called else None
        sc["nodes"]["s%d" % i] = service(nxt)


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    sc = base()
    if kind == "nodes":
        chain(sc, n, min(n, 100))
    elif kind == "chain":
        chain(sc, n, n)
        sc["workload"]["arrivals"]["rate"] = 1
    elif kind == "cycle":
        chain(sc, n, n)
        sc["nodes"]["s%d" % (n - 1)]["calls"] = [{"to": "s1"}]
    elif kind == "faults":
        sc["nodes"]["s0"] = service(instances=100)
        sc["faults"] = [{"target": "s0.%d" % (i % 100), "kind": "crash",
                         "at": "%dus" % (i * 5), "for": "2us"} for i in range(n)]
    elif kind == "schedule":
        sc["nodes"]["s0"] = service()
        sc["workload"]["schedule"] = [{"at": "%dus" % ((i + 1) * 5), "rate": 100 + i % 7}
                                      for i in range(n)]
    elif kind == "instances":
        sc["nodes"]["s0"] = service(instances=n)
        sc["duration"] = "1ms"
    elif kind == "backends":
        names = ["b%d" % i for i in range(n)]
        sc["nodes"]["s0"] = {"type": "lb", "backends": names}
        for b in names:
            sc["nodes"][b] = service()
        sc["duration"] = "100ms"
    elif kind == "fleet":
        sc["nodes"]["s0"] = {"type": "lb", "backends": ["app"],
                             "health_check": {"interval": "1ms"}}
        sc["nodes"]["app"] = service(instances=n)
        sc["duration"] = "1ms"
    else:
        sys.exit("gen-scale.py: unknown kind " + kind)
    json.dump(sc, sys.stdout, separators=(",", ":"))


main()
