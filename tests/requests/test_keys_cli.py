"""Until members make keys in their browser, an operator provisions public keys from the shell."""

from __future__ import annotations

import base64

from nacl.public import PrivateKey
from sqlalchemy import select

from funds.committees.models import Committee, Member
from funds.demo import data as demo


def test_an_operator_adds_a_members_public_key_and_replacing_it_must_be_asked_for(app, run):
    run(lambda s: s.add(Committee(name="Peers")))
    key = bytes(PrivateKey.generate().public_key)
    cli = app.test_cli_runner()
    added = cli.invoke(
        args=[
            "committee",
            "add-key",
            "--committee",
            "Peers",
            "--member",
            "Ana",
            "--public-key",
            base64.b64encode(key).decode(),
        ]
    )
    assert added.exit_code == 0, added.output
    assert run(lambda s: bytes(s.scalar(select(Member.public_key).where(Member.display_name == "Ana")))) == key

    other = bytes(PrivateKey.generate().public_key).hex()
    refused = cli.invoke(
        args=["committee", "add-key", "--committee", "Peers", "--member", "Ana", "--public-key", other]
    )
    assert refused.exit_code != 0 and "--replace" in refused.output
    replaced = cli.invoke(
        args=["committee", "add-key", "--committee", "Peers", "--member", "Ana", "--public-key", other, "--replace"]
    )
    assert replaced.exit_code == 0
    bad = cli.invoke(args=["committee", "add-key", "--committee", "Peers", "--member", "Ana", "--public-key", "short"])
    assert bad.exit_code != 0 and "base64" in bad.output


def test_the_demo_gives_members_public_keys_and_keeps_no_private_key(run, config, capsys):
    assert run(lambda session: demo.seed(session, config))
    printed = capsys.readouterr().out
    keys = run(lambda s: [bytes(k) for k in s.scalars(select(Member.public_key)) if k is not None])
    assert len(keys) == 3
    for line in printed.splitlines():
        if "(private, shown once)" in line:
            private = PrivateKey(base64.b64decode(line.rsplit(" ", 1)[1]))
            assert bytes(private.public_key) in keys
            assert bytes(private) not in b"".join(keys)
