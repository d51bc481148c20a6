"""Reading what a /metrics endpoint says, as Prometheus reads it."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of the exposition text, by name and labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 when the endpoint does not show it (a counter never touched)."""
    return found.get((name, frozenset(labels.items())), 0.0)


#: The series names a family of each type has, whether or not it has samples yet.
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
}


def names(text: str) -> set[str]:
    """Every series name the endpoint offers, including those of a labelled counter no
    process has incremented yet (shown by its HELP and TYPE alone)."""
    shown = set()
    for family in text_string_to_metric_families(text):
        shown.add(family.name)
        shown.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
        shown.update(sample.name for sample in family.samples)
    return shown
