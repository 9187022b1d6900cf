"""Pool fixtures: the donor fixtures (localstripe, pools, signed events) serve here too."""

from tests.donations.conftest import (  # noqa: F401  (fixtures, by name)
    charged_gift,
    config,
    deliver,
    localstripe,
    make_pool,
    pool,
    run,
    stripe,
)
