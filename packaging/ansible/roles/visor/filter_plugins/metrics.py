"""`metric_value`: one sample's value from the visor's metrics (Prometheus / OpenMetrics text)."""

import math
import re

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def metric_value(text, name, labels=None):
    """The value of the first sample of `name` whose labels contain `labels` (such as
    'release="v0.2.0"'); NaN when there is none, so every comparison with it fails."""
    for line in (text or '').splitlines():
        match = SAMPLE.match(line)
        if not match or match.group(1) != name:
            continue
        if labels and labels not in (match.group(2) or ''):
            continue
        try:
            return float(match.group(3))
        except ValueError:
            return math.nan
    return math.nan


class FilterModule:
    def filters(self):
        return {'metric_value': metric_value}
