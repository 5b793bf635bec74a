"""Jupyter hours per kid: the family hub's one implementation of the rule.

The file /etc/jupyterhub4family/hours.json (root:root 0644 in root's own 0755
folder, written only by the panel's root helper, set-hours) holds
{"version": 1, "users": {"anna": {"mon": ["16:00-20:00"], ...}}}. The panel's
TypeScript side of the same rule is lib/shared/hours-rule.ts (validation, the file's
format) and lib/hours/hours-now.ts (is a moment inside); both are run against
the cases of test/fixtures/hours-cases.json (test/unit/hours-cases.test.ts and
test/python/test_hours.py), so the two cannot drift apart unseen.

The rule: a user with no entry has no restriction, nor has "always". In an
entry, a weekday that is missing or has an empty list means no Jupyter that
day. A range "HH:MM-HH:MM" runs from its start up to (not including) its end,
within one day ("24:00" ends at midnight; a range past midnight is refused, it
is two ranges on two days); at most 4 a day, none overlapping. Times are the
machine's local time.

Parents (members of jupyterhub_adm) are never held to hours, not even by an
entry under their name. Reading the file fails closed: no file, or one root
cannot open: no restrictions. A file that is not a root-owned regular file
closed to others (in a folder closed to others), or that is not our JSON: every
user but the parents refused. A malformed entry: that user refused.
"""
import datetime
import grp
import json
import os
import pwd
import re
import stat

HOURS_FILE = '/etc/jupyterhub4family/hours.json'
PARENTS_GROUP = 'jupyterhub_adm'
WEEKDAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')  # datetime's weekday() order
MAX_RANGES_PER_DAY = 4
MAX_BYTES = 256 * 1024
DAY = 24 * 60

_TIME = re.compile(r'([01][0-9]|2[0-4]):([0-5][0-9])')

# What read_hours_file answers for a file that is there but not believed.
BROKEN = object()


class HoursError(ValueError):
    """Hours (or a whole file) the rule refuses."""


def _minutes(text):
    m = _TIME.fullmatch(text)
    if not m or int(m.group(1)) * 60 + int(m.group(2)) > DAY:
        raise HoursError(f'{text!r} is not a time HH:MM (00:00 to 24:00)')
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_range(item):
    """'16:00-20:00' -> (960, 1200); HoursError for anything else."""
    if not isinstance(item, str) or item.count('-') != 1:
        raise HoursError(f'{item!r} is not a range HH:MM-HH:MM')
    start, end = (_minutes(part) for part in item.split('-'))
    if start >= DAY:
        raise HoursError(f'{item}: a range cannot start at 24:00')
    if end <= start:
        raise HoursError(f'{item}: the end must be after the start (a range past midnight is two ranges)')
    return start, end


def parse_hours(entry):
    """One user's entry -> None (always) or weekday -> sorted [(start, end)] minutes.

    HoursError for what the rule refuses: not "always" or an object, an unknown
    weekday, a day that is not a list, more than MAX_RANGES_PER_DAY ranges, a bad
    range, overlapping ranges.
    """
    if entry == 'always':
        return None
    if not isinstance(entry, dict):
        raise HoursError('hours must be "always" or an object of weekday -> ["HH:MM-HH:MM", ...]')
    week = {day: [] for day in WEEKDAYS}
    for day, items in entry.items():
        if day not in WEEKDAYS:
            raise HoursError(f'unknown day {day!r}')
        if not isinstance(items, list):
            raise HoursError(f'{day}: a list of ranges "HH:MM-HH:MM" is needed')
        if len(items) > MAX_RANGES_PER_DAY:
            raise HoursError(f'{day}: at most {MAX_RANGES_PER_DAY} ranges a day')
        ranges = sorted(parse_range(item) for item in items)
        if any(ranges[i][0] < ranges[i - 1][1] for i in range(1, len(ranges))):
            raise HoursError(f'{day}: overlapping ranges')
        week[day] = ranges
    return week


def parse_hours_file(text):
    """The file's text -> its users (name -> raw entry); HoursError when it is not our JSON."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise HoursError(f'not JSON ({e})') from None
    version = data.get('version') if isinstance(data, dict) else None
    # JSON's true is not the version 1 (Python's True == 1 would say it is).
    if (not isinstance(data, dict) or isinstance(version, bool) or version != 1
            or not isinstance(data.get('users'), dict)):
        raise HoursError('not {"version": 1, "users": {...}}')
    return data['users']


def is_within_hours(week, weekday, minute):
    """Whether minute (since midnight) of weekday ('mon'...) is inside week (None: always)."""
    if week is None:
        return True
    return any(start <= minute < end for start, end in week.get(weekday, []))


def entry_allows(users, username, weekday, minute, log=None):
    """Whether username may use Jupyter at that moment, by the file's users; a malformed entry may not."""
    if username not in users:
        return True
    try:
        week = parse_hours(users[username])
    except HoursError as e:
        if log:
            log.error('Jupyter hours: the entry of %s is malformed (%s): refused', username, e)
        return False
    return is_within_hours(week, weekday, minute)


def read_hours_file(log, path=None):
    """The file's users; None when there is none (no restrictions); BROKEN when it is not believed."""
    path = path or HOURS_FILE
    try:
        # No link followed, no FIFO waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as e:
        log.warning('Jupyter hours: %s cannot be opened (%s): no restrictions', path, e)
        return None
    try:
        st = os.fstat(fd)
        folder = os.lstat(os.path.dirname(path) or '.')
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022
                or folder.st_uid != 0 or folder.st_mode & 0o022 or st.st_size > MAX_BYTES):
            log.error('Jupyter hours: %s is not a root-owned file closed to others: kids refused', path)
            return BROKEN
        text = os.read(fd, MAX_BYTES + 1).decode('utf-8')
    except (OSError, ValueError) as e:
        log.error('Jupyter hours: %s cannot be read as JSON (%s): kids refused', path, e)
        return BROKEN
    finally:
        os.close(fd)
    try:
        return parse_hours_file(text)
    except HoursError as e:
        log.error('Jupyter hours: %s is not our file (%s): kids refused', path, e)
        return BROKEN


def is_parent(username):
    """A member of jupyterhub_adm, primary or supplementary, as the panel and the helper count it."""
    try:
        group = grp.getgrnam(PARENTS_GROUP)
    except KeyError:
        return False
    if username in group.gr_mem:
        return True
    try:
        return pwd.getpwnam(username).pw_gid == group.gr_gid
    except KeyError:
        return False


def hours_allow(username, log, now=None, path=None):
    """Whether username may use Jupyter now (the machine's local time), by the file at path.

    A parent always may, whatever the file says: hours are the parents' rule for
    their kids, the panel never sets a parent's (set-hours refuses them) and says
    "parents are not limited". An entry under a parent's name can only be one left
    from before the account became a parent, and nobody could clear it.
    """
    if is_parent(username):
        return True
    users = read_hours_file(log, path)
    if users is None:
        return True
    if users is BROKEN:
        return False
    now = now or datetime.datetime.now()
    return entry_allows(users, username, WEEKDAYS[now.weekday()], now.hour * 60 + now.minute, log)
