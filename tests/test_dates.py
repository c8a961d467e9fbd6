from datetime import date

from monitor.dates import bank_holiday, days_between, in_window, known_by, weeks_beginning_with


def test_five_weeks_beginning_with_the_spec_example():
    assert weeks_beginning_with(date(2019, 3, 1), 5) == date(2019, 4, 4)


def test_day_one_is_the_start_day():
    assert weeks_beginning_with(date(2020, 1, 1), 1) == date(2020, 1, 7)
    assert days_between(date(2020, 1, 1), weeks_beginning_with(date(2020, 1, 1), 5)) == 34


def test_weeks_cross_a_leap_day_and_a_year_end():
    assert weeks_beginning_with(date(2020, 2, 1), 5) == date(2020, 3, 6)
    assert weeks_beginning_with(date(2019, 12, 20), 1) == date(2019, 12, 26)


def test_windows_include_both_ends():
    first, last = date(2020, 5, 1), date(2020, 9, 25)
    assert in_window(first, first, last) and in_window(last, first, last)
    assert not in_window(date(2020, 4, 30), first, last)
    assert not in_window(date(2020, 9, 26), first, last)
    assert not in_window(None, first, last)


def test_a_done_date_after_the_as_of_date_is_not_done_yet():
    as_of = date(2020, 6, 30)
    assert known_by(date(2020, 6, 30), as_of) == as_of
    assert known_by(date(2020, 7, 1), as_of) is None
    assert known_by(None, as_of) is None


def test_english_bank_holidays():
    assert bank_holiday(date(2020, 5, 8))  # VE Day moved the May bank holiday
    assert bank_holiday(date(2020, 3, 17)) is None  # St Patrick's Day is Northern Ireland only
