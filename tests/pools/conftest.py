"""Pool fixtures: the donor fixtures (localstripe, pools, signed events, committee clients) serve here too."""

from tests.donations.conftest import (  # noqa: F401  (fixtures, by name)
    charged_gift,
    committee_client,
    config,
    deliver,
    localstripe,
    make_pool,
    pool,
    stripe,
)
