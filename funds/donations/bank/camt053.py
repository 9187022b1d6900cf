"""Reading ISO 20022 CAMT.053 statements (bank to customer statement, versions 001.02 to 001.13).

Our own reader over lxml rather than a PyPI parser: the ones there were either abandoned, bound
to one schema version, or built to generate messages rather than read what banks send; what we
need is small (booked credits: amount, day, the bank's reference, remittance text) and the same
in every version, so the reader takes any ``camt.053.001.*`` namespace and reads by path.

The XML parser resolves no entities and fetches nothing (no XXE, no billion laughs), and a
document that is not a camt.053 statement is refused, not guessed at.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from lxml import etree

from funds.money import CurrencyError, check_currency, minor_units

from .statements import Credit, StatementRefused

NAMESPACE_START = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)
NOT_CAMT = _l("This XML file is not a CAMT.053 bank statement.")


def credits(data: bytes) -> list[Credit]:
    """The booked credits of every statement in the document."""
    try:
        root = etree.fromstring(data, _PARSER)  # noqa: S320 (entities and network off, above)
    except etree.XMLSyntaxError:
        raise StatementRefused(_l("This file is not well-formed XML: it may be damaged or cut short.")) from None
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not namespace.startswith(NAMESPACE_START):
        raise StatementRefused(NOT_CAMT)
    ns = {"c": namespace}
    found: list[Credit] = []
    for entry in root.iterfind("c:BkToCstmrStmt/c:Stmt/c:Ntry", ns):
        if _text(entry, "c:CdtDbtInd", ns) != "CRDT" or _status(entry, ns) != "BOOK":
            continue
        booked_on = _day(entry, ns)
        details = entry.findall("c:NtryDtls/c:TxDtls", ns)
        entry_ref = _text(entry, "c:AcctSvcrRef", ns)
        if len(details) <= 1:
            found.append(_credit(entry, details[0] if details else None, entry_ref, booked_on, ns))
            continue
        # A batch booked as one entry: each transaction is a gift of its own.
        for number, transaction in enumerate(details):
            ref = _text(transaction, "c:Refs/c:AcctSvcrRef", ns) or (f"{entry_ref}/{number}" if entry_ref else None)
            found.append(_credit(transaction, transaction, ref, booked_on, ns, amount_path="c:AmtDtls/c:TxAmt/c:Amt"))
    return found


def _credit(holder, transaction, bank_ref: str | None, booked_on: date, ns: dict, *, amount_path: str = "c:Amt"):
    amount = holder.find(amount_path, ns)
    if amount is None and transaction is not None:
        amount = transaction.find("c:Amt", ns)
    if amount is None or not amount.get("Ccy"):
        raise StatementRefused(_l("A line of this statement has no amount or currency."))
    currency = amount.get("Ccy", "")
    try:
        check_currency(currency)
        minor = minor_units(amount.text or "", currency)
    except (CurrencyError, ValueError):
        raise StatementRefused(_l("A line of this statement has an amount we cannot read: %(amount)s %(currency)s.",
                                  amount=(amount.text or "")[:20], currency=currency[:3])) from None
    texts = []
    if transaction is not None:
        for path in ("c:RmtInf/c:Ustrd", "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", "c:Refs/c:EndToEndId",
                     "c:AddtlTxInf"):
            texts += [element.text or "" for element in transaction.iterfind(path, ns)]
    texts.append(_text(holder, "c:AddtlNtryInf", ns) or "")
    payer = (_text(transaction, "c:RltdPties/c:Dbtr/c:Nm", ns) or _text(
        transaction, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns)) if transaction is not None else None
    return Credit("camt.053", bank_ref, booked_on, minor, currency, " ".join(t.strip() for t in texts if t.strip()),
                  payer or "")


def _status(entry, ns: dict) -> str | None:
    # 001.02-001.04 write <Sts>BOOK</Sts>; later versions <Sts><Cd>BOOK</Cd></Sts>
    return _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)


def _day(entry, ns: dict) -> date:
    written = _text(entry, "c:BookgDt/c:Dt", ns) or (_text(entry, "c:BookgDt/c:DtTm", ns) or "")[:10] or \
        _text(entry, "c:ValDt/c:Dt", ns)
    try:
        return date.fromisoformat(written or "")
    except ValueError:
        raise StatementRefused(_l("A line of this statement has no booking date.")) from None


def _text(element, path: str, ns: dict) -> str | None:
    found = element.find(path, ns)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None
