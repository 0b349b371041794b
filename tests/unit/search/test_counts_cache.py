from app.search.cache import RecentResults


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_counts_are_reused_within_the_window_then_recomputed():
    cache, clock, calls = RecentResults(), Clock(), []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get_or_compute(("q",), 60, compute, clock) == 1
    clock.now += 59
    assert cache.get_or_compute(("q",), 60, compute, clock) == 1
    assert cache.get_or_compute(("other",), 60, compute, clock) == 2
    clock.now += 2
    assert cache.get_or_compute(("q",), 60, compute, clock) == 3


def test_zero_seconds_never_caches():
    cache, calls = RecentResults(), []
    for _ in range(3):
        cache.get_or_compute(("q",), 0, lambda: calls.append(1))
    assert len(calls) == 3


def test_the_cache_stays_bounded():
    cache = RecentResults(max_entries=3)
    for number in range(10):
        cache.get_or_compute((number,), 60, lambda: number)
    assert len(cache._entries) <= 3
