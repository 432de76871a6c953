"""Budgets for what anonymous clients can make the server do: token buckets, kept per key in a
bounded table (an address, a connection), so that no loop a client can drive costs more than its share."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Generic, TypeVar

K = TypeVar("K")


class Bucket:
    """A token bucket: `burst` tokens at most, refilled at `rate` tokens a second."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float | None = None):
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic() if now is None else now

    def take(self, now: float | None = None, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are enough; False (nothing spent) when there are not."""
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def hold(self, seconds: float, now: float | None = None) -> None:
        """No token for the next `seconds` (more when it was already in debt)."""
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate, 1.0 - seconds * self.rate)
        self.stamp = now

    def full_at(self, now: float) -> bool:
        """True when the bucket would be full at `now` (its key can be forgotten)."""
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class Buckets(Generic[K]):
    """One bucket per key, at most `size` keys: the least recently used full bucket is forgotten
    first, so the table cannot grow with the number of addresses a client claims to have."""

    def __init__(self, rate: float, burst: float, size: int = 4096):
        self.rate = rate
        self.burst = burst
        self.size = size
        self.table: OrderedDict[K, Bucket] = OrderedDict()

    def take(self, key: K, cost: float = 1.0) -> bool:
        now = time.monotonic()
        return self._bucket(key, now).take(now, cost)

    def hold(self, key: K, seconds: float) -> None:
        """`key` gets no token for the next `seconds`: a penalty for what it did."""
        now = time.monotonic()
        self._bucket(key, now).hold(seconds, now)

    def _bucket(self, key: K, now: float) -> Bucket:
        """`key`'s bucket, made full when new (the table shrunk when it grows past `size`), now the most recent."""
        bucket = self.table.get(key)
        if bucket is None:
            bucket = self.table[key] = Bucket(self.rate, self.burst, now)
            if len(self.table) > self.size:
                self._shrink(now)
        else:
            self.table.move_to_end(key)
        return bucket

    def _shrink(self, now: float) -> None:
        for key in [k for k, b in self.table.items() if b.full_at(now)]:
            del self.table[key]
        while len(self.table) > self.size:  # every key is busy: the oldest goes (it starts again full)
            self.table.popitem(last=False)

    def __len__(self) -> int:
        return len(self.table)


class SparseLog:
    """A warning that anonymous clients can set off at will (a request or a packet the server cannot
    read), logged in one line at most every `seconds` for all of them, with how many came since: a
    device sending thousands neither fills the log nor hides the errors that matter in it. `due()`
    alone serves a caller that logs in its own way (realtime's filter of library tracebacks)."""

    def __init__(self, log: Any, what: str, seconds: float = 60.0):
        self.log, self.what, self.seconds = log, what, seconds
        self.count = 0  # every one so far
        self._logged = 0  # the count at the last one logged
        self._at = -seconds

    def due(self, now: float | None = None) -> int | None:
        """Count one; when it is to be logged, how many were left out since the last, else None."""
        now = time.monotonic() if now is None else now
        self.count += 1
        if now - self._at < self.seconds:
            return None
        since = self.count - self._logged - 1
        self._at, self._logged = now, self.count
        return since

    def __call__(self, address: str, error: BaseException, now: float | None = None) -> None:
        since = self.due(now)
        if since is None:
            return
        more = f" ({since} more since the last such line)" if since else ""
        detail = f"{type(error).__name__}: {str(error)[:200]}"
        self.log.warning("%s from %s: %s%s", self.what, address, detail, more)


class OncePerKey(Generic[K]):
    """Whether a warning about one key (a device's address) is due: once per `seconds` for each key, so a
    device repeating what set it off writes one line an hour, not one a request. At most `size` keys are
    remembered (the least recently logged forgotten first), and at most `lines` lines are due per
    `seconds` for all keys together: many addresses neither grow the table nor flood the log."""

    def __init__(self, seconds: float = 3600.0, size: int = 256, lines: int = 32, clock: Any = time.monotonic):
        self.seconds, self.size, self.clock = seconds, size, clock
        self.told: OrderedDict[K, float] = OrderedDict()  # key -> when it was last logged, the oldest first
        self.budget = Bucket(lines / seconds, lines, clock())  # the lines for all keys together

    def due(self, key: K) -> bool:
        """True (and noted) when `key` was not logged within `seconds` and the log has room."""
        now = self.clock()
        at = self.told.get(key)
        if at is not None and now - at < self.seconds:
            return False
        if not self.budget.take(now):
            return False
        self.told[key] = now
        self.told.move_to_end(key)
        while len(self.told) > self.size:
            self.told.popitem(last=False)
        return True


# An IPv6 device is given a /64 (a phone on mobile data, a home router's LAN: the network routes the whole /64 to it),
# and takes any address in it at will: counted by its address, it had a fresh budget (requests, sessions, logins,
# the survey's guesses) per request. One that comes through a router or the HTTPS proxy is counted by its /64. A
# device in a /64 of the server's own (the office's LAN, on its link) is counted by its address, as an IPv4 one:
# there the /64 is every device of the office (docs/operations.md, "Security").
DEVICE_PREFIX = 64
OWN_NETWORKS_SECONDS = 60.0  # the server's own addresses are read again this often (a prefix the ISP changed)
IF_INET6 = "/proc/net/if_inet6"  # Linux: the host's IPv6 addresses, one a line, in 32 hex digits first
_own: list[Any] = [float("-inf"), frozenset()]  # when read, the /64s of the server's own addresses
_keys: OrderedDict[str, str] = OrderedDict()  # address -> its device, the most recent last (KEYS_KEPT at most)
KEYS_KEPT = 4096


def own_networks(now: float | None = None) -> frozenset[Any]:
    """The /64 of each IPv6 address of this host (link-local and loopback left out), read every OWN_NETWORKS_SECONDS;
    none where the host does not list them (not Linux)."""
    import ipaddress

    now = time.monotonic() if now is None else now
    if now - _own[0] < OWN_NETWORKS_SECONDS:
        return _own[1]
    nets = set()
    try:
        with open(IF_INET6, encoding="ascii") as lines:
            for line in lines:
                digits = line.split(maxsplit=1)[0] if line.strip() else ""
                try:
                    ip = ipaddress.IPv6Address(int(digits, 16))
                except ValueError:
                    continue
                if not (ip.is_loopback or ip.is_link_local):
                    nets.add(ipaddress.IPv6Network((ip, DEVICE_PREFIX), strict=False))
    except OSError:  # a host that does not list them (not Linux): none of its own, every IPv6 device by its /64
        nets = set()
    if nets != _own[1]:
        _keys.clear()
    _own[:] = [now, frozenset(nets)]
    return _own[1]


def device_key(address: str) -> str:
    """The device `address` is counted as by every budget: an IPv4 address (and anything that is no IPv6 address) as
    it is; an IPv6 one as its /64 ("2001:db8:1:2::/64"), unless that /64 is one of the server's own (own_networks)
    or it is link-local or loopback: then its address, as an IPv4 device's."""
    if ":" not in address:
        return address
    networks = own_networks()
    key = _keys.get(address)
    if key is not None:
        return key
    import ipaddress

    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None or ip.is_loopback or ip.is_link_local:
        key = address
    else:
        net = ipaddress.IPv6Network((ip, DEVICE_PREFIX), strict=False)
        key = address if net in networks else str(net)
    _keys[address] = key
    if len(_keys) > KEYS_KEPT:
        _keys.popitem(last=False)
    return key


def spend(app: Any, address: str) -> bool:
    """One request of `address`'s budget ([limits] requests_per_minute, httpserver.Guard) spent on work no
    request of its own paid for (a snapshot over Socket.IO past its connection's first); False when none is
    left (nothing spent). True when the app is served without that server (tests on Flask's or
    Flask-SocketIO's own servers)."""
    guard = app.extensions.get("antrian.guard")
    return guard is None or guard.allow_request(address)


def penalize(app: Any, address: str, seconds: float) -> None:
    """The HTTP server's penalty for a device that broke a budget (httpserver.Guard.penalize): its
    requests wait for a 429 for `seconds`. Nothing when the app is served without that server (tests
    on Flask's or Flask-SocketIO's own servers)."""
    guard = app.extensions.get("antrian.guard")
    if guard is not None:
        guard.penalize(address, seconds)
