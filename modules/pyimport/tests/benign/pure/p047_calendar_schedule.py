from datetime import date, timedelta
from collections import OrderedDict
import calendar


def nth_weekday(year, month, weekday, n):
    """The n-th given weekday (0=Monday) of a month; n=-1 for the last."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    return days[n] if n < 0 else days[n - 1]


holidays = OrderedDict()
for year in (2024, 2025):
    holidays[f"{year} Thanksgiving (US)"] = nth_weekday(year, 11, calendar.THURSDAY, 4)
    holidays[f"{year} Memorial Day (US)"] = nth_weekday(year, 5, calendar.MONDAY, -1)

for name, day in sorted(holidays.items(), key=lambda kv: kv[1]):
    print(f"{day:%a %d %b %Y}  {name}")

today = date(2024, 11, 1)
nxt = min(d for d in holidays.values() if d >= today)
print("days until next:", (nxt - today).days, "weeks:", (nxt - today) // timedelta(weeks=1))
