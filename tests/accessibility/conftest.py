"""The transparency tests' fund: gifts, requests, votes and payouts booked through the domain."""

from tests.transparency import conftest as transparency_fixtures

config = transparency_fixtures.config
books = transparency_fixtures.books
fund = transparency_fixtures.fund
