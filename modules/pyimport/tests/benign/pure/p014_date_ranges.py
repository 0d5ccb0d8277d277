from datetime import date, datetime, timedelta
import calendar


def business_days(start: date, end: date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def parse_dates(lines):
    for line in lines:
        line = line.strip()
        if not line:
            continue
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%b %d %Y"):
            try:
                yield datetime.strptime(line, fmt).date()
                break
            except ValueError:
                continue
        else:
            print("unparsed:", line)


dates = list(parse_dates(["2024-02-28", "01/03/2024", "Mar 15 2024", "tomorrow"]))
print("parsed:", [d.isoformat() for d in dates])
days = list(business_days(dates[0], dates[-1]))
print("business days between:", len(days))
print("2024 is leap:", calendar.isleap(2024))
print(calendar.month(2024, 2))
