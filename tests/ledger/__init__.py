import pytest

# These modules assert outside the test files: let pytest explain their failures as it does the tests'.
pytest.register_assert_rewrite(
    "tests.ledger.books_checks", "tests.ledger.books_machine", "tests.ledger.books_model", "tests.ledger.pool_books"
)
